// The rules engine: normalises every policy once, runs each rule over the shared context, sorts and counts.
import { normalise, type NormalisedDocument } from './policy/normalise';
import { RULES } from './rules';
import type { RuleOptions } from './rules/rule';
import { countInputs, summarise, type AuditSummary } from './summary';
import { severityRank, type AuditInput, type Finding } from './types';

/** The JWKS route is public by design: mesh services fetch keys from it without credentials. */
export const DEFAULT_PUBLIC_ROUTES: readonly string[] = ['GET /.well-known/jwks.json'];

export interface AuditOptions {
  /** Extra public routes as `METHOD /path`; the JWKS route is always public. */
  readonly publicRoutes?: readonly string[];
  /** @default new Date() */
  readonly now?: Date;
  /** @default 2 */
  readonly rotationGraceDays?: number;
}

export interface AuditResult {
  readonly findings: Finding[];
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
 * const input = await readPolicyFiles(['policies/']);
 * const { findings, summary } = await runAudit(input, { publicRoutes: ['GET /health'] });
 */
export async function runAudit(input: AuditInput, options: AuditOptions = {}): Promise<AuditResult> {
  const all = input.documents.map(normalise);
  const ruleOptions: RuleOptions = {
    publicRoutes: [...DEFAULT_PUBLIC_ROUTES, ...(options.publicRoutes ?? [])],
    now: options.now ?? new Date(),
    rotationGraceDays: options.rotationGraceDays ?? 2,
  };
  const ctx = { input, documents: all.filter((d) => !d.input.awsManaged), principals: principalsOf(all), options: ruleOptions };
  const findings: Finding[] = [];
  for (const rule of RULES) findings.push(...(await rule.run(ctx)));
  findings.sort(compareFindings);
  return { findings, summary: summarise(findings, countInputs(input, all)) };
}
