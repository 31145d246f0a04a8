// Suppressions: findings accepted with a reason (and an optional expiry), kept visible but not failing the audit.
import { MeshgateError } from '../errors';
import { KIND_INFO } from './kinds';
import { FINDING_KINDS, type Finding, type FindingKind, type Locate, type SourceLocation } from './types';
import { isPlainObject as isObject } from '../config/check';

export interface Suppression {
  readonly kind: FindingKind;
  /** Exact resource, or a glob where `*` matches any run of characters (`/` and `:` included). */
  readonly resource: string;
  /** `Sid` or 0-based index; absent matches every statement (and findings without one). */
  readonly statement?: string | number;
  readonly reason: string;
  /** Last day (UTC, `YYYY-MM-DD`) on which the suppression applies. */
  readonly expires?: string;
  readonly location?: SourceLocation;
}

/** A finding that a suppression accepted: still reported, never counted. */
export interface SuppressedFinding extends Finding {
  readonly suppression: { readonly reason: string; readonly expires?: string };
}

export interface SuppressionSummary {
  /** Entries given (expired ones included). */
  readonly entries: number;
  readonly suppressed: number;
  readonly expired: number;
  /** Unexpired entries that matched no finding: visible so they get cleaned up, not a failure. */
  readonly stale: readonly Pick<Suppression, 'kind' | 'resource' | 'statement' | 'reason'>[];
}

/** Where a suppressions document came from: its file name, and the lines of its nodes when known. */
export interface SuppressionSource {
  readonly file: string;
  readonly locate?: Locate;
}

const FIELDS = new Set(['kind', 'resource', 'statement', 'reason', 'expires']);
// The guard cannot be suppressed, and drift is computed after suppressions are applied.
const UNSUPPRESSIBLE: readonly FindingKind[] = ['suppression-expired', 'baseline-drift'];
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Start of the day after `expires` (UTC): from then on the suppression no longer applies. */
function expiryInstant(expires: string): number | undefined {
  const m = DAY.exec(expires);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
  const date = new Date(Date.UTC(y, mo, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo || date.getUTCDate() !== d) return undefined;
  return Date.UTC(y, mo, d + 1);
}

function parseEntry(entry: unknown, at: string, fail: (msg: string) => never): Omit<Suppression, 'location'> {
  if (!isObject(entry)) fail(`${at} must be an object`);
  const unknown = Object.keys(entry).find((k) => !FIELDS.has(k));
  if (unknown !== undefined) fail(`${at}.${unknown} is not a suppression field (kind, resource, statement, reason, expires)`);
  const { kind, resource, statement, reason, expires } = entry;
  if (typeof kind !== 'string' || !(FINDING_KINDS as readonly string[]).includes(kind))
    fail(`${at}.kind must be a finding kind such as wildcard-action (got ${JSON.stringify(kind)})`);
  if (UNSUPPRESSIBLE.includes(kind as FindingKind)) fail(`${at}.kind ${kind} cannot be suppressed`);
  if (typeof resource !== 'string' || resource.trim() === '') fail(`${at}.resource must be a resource id or a glob with *`);
  const validStatement =
    statement === undefined ||
    (typeof statement === 'string' && statement !== '') ||
    (typeof statement === 'number' && Number.isInteger(statement) && statement >= 0);
  if (!validStatement) fail(`${at}.statement must be a Sid or a 0-based statement index`);
  if (typeof reason !== 'string' || reason.trim() === '') fail(`${at}.reason is required: say why the finding is accepted`);
  if (expires !== undefined && (typeof expires !== 'string' || expiryInstant(expires) === undefined))
    fail(`${at}.expires must be a date as YYYY-MM-DD (got ${JSON.stringify(expires)})`);
  return {
    kind: kind as FindingKind,
    resource,
    reason: reason.trim(),
    ...(statement === undefined ? {} : { statement: statement }),
    ...(expires === undefined ? {} : { expires: expires }),
  };
}

/**
 * Validates a suppressions document (`{ "suppressions": [...] }`); errors name the entry and the field.
 *
 * @throws MeshgateError `audit_input_invalid` for a bad document or entry
 * @example
 * const suppressions = parseSuppressions({ suppressions: [{ kind: 'wildcard-action', resource: 'KeyPolicy', reason: 'default key policy' }] }, 'audit-suppressions.json');
 */
export function parseSuppressions(value: unknown, source: SuppressionSource | string): Suppression[] {
  const { file, locate } = typeof source === 'string' ? { file: source, locate: undefined } : source;
  const fail = (message: string): never => {
    throw new MeshgateError('audit_input_invalid', `${file}: ${message}`);
  };
  if (!isObject(value) || !Array.isArray(value.suppressions)) fail('must be an object with a "suppressions" array');
  const doc = value as { suppressions: unknown[] } & Record<string, unknown>;
  const extra = Object.keys(doc).find((k) => k !== 'suppressions' && k !== '$comment');
  if (extra !== undefined) fail(`${extra} is not a known field (suppressions, $comment)`);
  return doc.suppressions.map((entry, i) => {
    const line = locate?.(['suppressions', i]);
    return { ...parseEntry(entry, `suppressions[${i}]`, fail), location: line === undefined ? { file } : { file, line } };
  });
}

function globRegExp(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    's',
  );
}

function matcher(s: Suppression): (f: Finding) => boolean {
  const resource = globRegExp(s.resource);
  return (f) =>
    f.kind === s.kind && resource.test(f.resource) && (s.statement === undefined || String(s.statement) === String(f.statement ?? ''));
}

function expiredFinding(s: Suppression, covered: number): Finding {
  const target = `${s.kind} on ${s.resource}${s.statement === undefined ? '' : ` statement ${JSON.stringify(s.statement)}`}`;
  return {
    kind: 'suppression-expired',
    severity: KIND_INFO['suppression-expired'].severity,
    resource: s.location?.file ?? 'suppressions',
    message: `suppression of ${target} ("${s.reason}") expired on ${s.expires}: ${covered} finding(s) it covered are reported again; fix them, or renew the suppression with a new date`,
    ...(s.location ? { location: s.location } : {}),
  };
}

export interface SuppressionOutcome {
  /** Findings still active, with a `suppression-expired` finding per expired entry. */
  readonly findings: Finding[];
  readonly suppressed: SuppressedFinding[];
  readonly summary: SuppressionSummary;
}

/**
 * Splits findings into active and suppressed. The first unexpired entry that matches gives the reason;
 * an expired entry suppresses nothing and becomes a `suppression-expired` finding instead.
 *
 * @example
 * // given: import type { AuditResult } from './engine';
 * // given: declare const result: AuditResult, suppressions: Suppression[];
 * const { findings, suppressed } = applySuppressions(result.findings, suppressions, new Date());
 */
export function applySuppressions(findings: readonly Finding[], suppressions: readonly Suppression[], now: Date): SuppressionOutcome {
  const entries = suppressions.map((s) => ({
    s,
    matches: matcher(s),
    expired: s.expires !== undefined && now.getTime() >= expiryInstant(s.expires)!,
    used: false,
  }));
  const active: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  for (const f of findings) {
    const hits = entries.filter((e) => !e.expired && e.matches(f));
    for (const hit of hits) hit.used = true;
    const first = hits[0]?.s;
    if (first) suppressed.push({ ...f, suppression: { reason: first.reason, ...(first.expires ? { expires: first.expires } : {}) } });
    else active.push(f);
  }
  const expired = entries.filter((e) => e.expired);
  active.push(...expired.map((e) => expiredFinding(e.s, findings.filter(e.matches).length)));
  const stale = entries
    .filter((e) => !e.expired && !e.used)
    .map(({ s }) => ({
      kind: s.kind,
      resource: s.resource,
      ...(s.statement === undefined ? {} : { statement: s.statement }),
      reason: s.reason,
    }));
  return {
    findings: active,
    suppressed,
    summary: { entries: suppressions.length, suppressed: suppressed.length, expired: expired.length, stale },
  };
}
