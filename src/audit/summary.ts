// Counts for the report's summary: by severity, by kind, what was read and what was left out.
import type { LeftOutCounts } from './left-out';
import type { NormalisedDocument } from './policy/normalise';
import type { SuppressionSummary } from './suppressions';
import { FINDING_KINDS, SEVERITIES, type AuditInput, type Finding, type FindingKind, type Severity } from './types';

export interface AuditSummary {
  readonly total: number;
  readonly bySeverity: Record<Severity, number>;
  readonly byKind: Partial<Record<FindingKind, number>>;
  readonly inputs: {
    readonly sources: readonly string[];
    readonly documents: number;
    readonly statements: number;
    readonly routes: number;
    readonly secrets: number;
  };
  /**
   * Findings the customer cannot act on, not reported: on resources AWS owns (`arn:aws:iam::aws:policy/*`)
   * and on service-linked roles. Present whenever `runAudit` produced the summary.
   */
  readonly leftOut?: LeftOutCounts;
  /** Present when the audit ran against a baseline. */
  readonly baseline?: { readonly file: string; readonly accepted: number; readonly new: number };
  /** Present when the audit ran with suppressions; suppressed findings are not in `total` or `bySeverity`. */
  readonly suppressions?: SuppressionSummary;
}

export type InputCounts = AuditSummary['inputs'];

/** What was read, for the summary. */
export function countInputs(input: AuditInput, documents: readonly NormalisedDocument[]): InputCounts {
  return {
    sources: input.sources,
    documents: documents.length,
    statements: documents.reduce((n, d) => n + d.statements.length, 0),
    routes: input.routes.length,
    secrets: input.secrets.length,
  };
}

export function summarise(findings: readonly Finding[], inputs: InputCounts): AuditSummary {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const byKind: Partial<Record<FindingKind, number>> = {};
  for (const f of findings) {
    bySeverity[f.severity] += 1;
    byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
  }
  const ordered = Object.fromEntries(FINDING_KINDS.filter((k) => byKind[k] !== undefined).map((k) => [k, byKind[k]]));
  return {
    total: findings.length,
    bySeverity,
    byKind: ordered,
    inputs,
  };
}

/**
 * What the inputs gave, for the line the CLI prints before the report: every run says how much it read, and
 * names each file it skipped (`--allow-unreadable`).
 *
 * @example
 * // given: declare const input: AuditInput;
 * describeRead(input); // 'read 14 policy document(s), 0 route(s), 0 secret(s) from 9 source(s)'
 */
export function describeRead(input: AuditInput): string {
  const read = `read ${input.documents.length} policy document(s), ${input.routes.length} route(s), ${input.secrets.length} secret(s) from ${input.sources.length} source(s)`;
  if (input.skipped.length === 0) return read;
  return `${read}; skipped ${input.skipped.length} unreadable file(s): ${input.skipped.map((s) => s.reason).join('; ')}`;
}
