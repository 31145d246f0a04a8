// The rules engine: normalises every policy once, runs each rule over the shared context, sorts and counts.
import { leaveOut, type RuleFinding } from './left-out';
import { normalise, type NormalisedDocument } from './policy/normalise';
import { RULES } from './rules';
import type { RuleOptions } from './rules/rule';
import { countInputs, summarise, type AuditSummary } from './summary';
import { applySuppressions, type SuppressedFinding, type Suppression } from './suppressions';
import { severityRank, type AuditInput, type Finding } from './types';
import { DEFAULT_ROTATION_GRACE_DAYS } from '../rotation/schedule-policy';

/** The JWKS route is public by design: mesh services fetch keys from it without credentials. */
export const DEFAULT_PUBLIC_ROUTES: readonly string[] = ['GET /.well-known/jwks.json'];

export interface AuditOptions {
  /** Extra public routes as `METHOD /path`; the JWKS route is always public. */
  readonly publicRoutes?: readonly string[];
  /** @default new Date() */
  readonly now?: Date;
  /** @default 2 */
  readonly rotationGraceDays?: number;
  /** Findings accepted with a reason (see `parseSuppressions`); expiry is judged against `now`. */
  readonly suppressions?: readonly Suppression[];
}

export interface AuditResult {
  /** Active findings: what `--fail-on` and the severity counts judge. */
  readonly findings: Finding[];
  /** Findings a suppression accepted, with its reason; present whenever `runAudit` produced the result. */
  readonly suppressed?: SuppressedFinding[];
  readonly summary: AuditSummary;
}

function principalsOf(documents: readonly NormalisedDocument[]): Map<string, NormalisedDocument[]> {
  const map = new Map<string, NormalisedDocument[]>();
  for (const doc of documents) {
    if (doc.input.policyKind !== 'identity') continue;
    for (const principal of doc.input.principals ?? []) map.set(principal, [...(map.get(principal) ?? []), doc]);
  }
  return map;
}

/** Worst first, then by resource and statement, so reports and baselines are stable. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    a.kind.localeCompare(b.kind) ||
    a.resource.localeCompare(b.resource) ||
    String(a.statement ?? '').localeCompare(String(b.statement ?? '')) ||
    (a.action ?? '').localeCompare(b.action ?? '')
  );
}

/**
 * Runs every rule over the input and returns the findings, worst first, with a summary.
 *
 * @example
 * // given: import { readPolicyFiles } from './inputs/policy-files';
 * const input = await readPolicyFiles(['policies/']);
 * const { findings, summary } = await runAudit(input, { publicRoutes: ['GET /health'] });
 */
export async function runAudit(input: AuditInput, options: AuditOptions = {}): Promise<AuditResult> {
  const all = input.documents.map(normalise);
  const ruleOptions: RuleOptions = {
    publicRoutes: [...DEFAULT_PUBLIC_ROUTES, ...(options.publicRoutes ?? [])],
    now: options.now ?? new Date(),
    rotationGraceDays: options.rotationGraceDays ?? DEFAULT_ROTATION_GRACE_DAYS,
  };
  const ctx = { input, documents: all.filter((d) => !d.input.awsManaged), principals: principalsOf(all), options: ruleOptions };
  const ruleFindings: RuleFinding[] = [];
  for (const rule of RULES) ruleFindings.push(...(await rule.run(ctx)));
  // What the customer cannot act on (AWS-owned resources, service-linked roles) is counted, never reported or suppressed.
  const { findings, leftOut } = leaveOut(ruleFindings);
  // Suppressions see what the rules concluded (Deny and conditions already applied), so an entry that matches
  // nothing is truly stale. Callers compare with a baseline afterwards: accepted findings never count as new,
  // and a baseline never absorbs them, so an expired suppression brings its findings back.
  const outcome = applySuppressions(findings, options.suppressions ?? [], ruleOptions.now);
  const active = outcome.findings.sort(compareFindings);
  const summary = { ...summarise(active, countInputs(input, all)), leftOut };
  return {
    findings: active,
    suppressed: outcome.suppressed.sort(compareFindings),
    summary: options.suppressions ? { ...summary, suppressions: outcome.summary } : summary,
  };
}
