// Baselines: a saved set of accepted findings and policy-document hashes; later runs report only what is new or changed.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { MeshgateError } from '../errors';
import { compareFindings, type AuditResult } from './engine';
import { KIND_INFO } from './kinds';
import { summarise } from './summary';
import type { AuditInput, Finding, PolicyDocumentInput } from './types';

export interface Baseline {
  readonly version: 1;
  readonly createdAt: string;
  /** Accepted findings, keyed by fingerprint (the rest is there for humans reading the file). */
  readonly findings: readonly { fingerprint: string; kind: string; resource: string; statement?: string | number; action?: string }[];
  /** Policy document id -> SHA-256 of its canonical JSON. */
  readonly documents: Readonly<Record<string, string>>;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * Stable identity of a finding: what and where, not its wording, severity or line. Once-per-statement kinds carry no
 * `action`, so a statement that gains an action keeps its fingerprint (its document hash changes instead).
 */
export function fingerprint(f: Finding): string {
  return sha256([f.kind, f.resource, f.statement ?? '', f.action ?? '', f.resourceArn ?? '', f.principal ?? ''].join('\u0000')).slice(
    0,
    32,
  );
}

export function documentHash(doc: PolicyDocumentInput): string {
  return sha256(canonical(doc.document));
}

/** Builds the baseline for a result: every finding is accepted as it stands. */
export function createBaseline(result: AuditResult, input: AuditInput, now = new Date()): Baseline {
  return {
    version: 1,
    createdAt: now.toISOString(),
    findings: result.findings
      // An expired suppression must stay visible until someone acts on it: it is never accepted.
      .filter((f) => f.kind !== 'baseline-drift' && f.kind !== 'suppression-expired')
      .map((f) => ({
        fingerprint: fingerprint(f),
        kind: f.kind,
        resource: f.resource,
        ...(f.statement === undefined ? {} : { statement: f.statement }),
        ...(f.action ? { action: f.action } : {}),
      })),
    documents: Object.fromEntries(input.documents.map((d) => [d.id, documentHash(d)])),
  };
}

function driftFinding(doc: PolicyDocumentInput, change: 'changed' | 'added'): Finding {
  const line = doc.source?.locate(doc.source.path);
  return {
    kind: 'baseline-drift',
    severity: change === 'changed' ? KIND_INFO['baseline-drift'].severity : 'low',
    resource: doc.resource,
    message: `policy document ${doc.id} ${change === 'changed' ? 'changed' : 'is new'} since the baseline: review it, then run --write-baseline if the change is intended`,
    ...(doc.source ? { location: line === undefined ? { file: doc.source.file } : { file: doc.source.file, line } } : {}),
  };
}

/**
 * Compares a result with a baseline: accepted findings are dropped, the others are marked
 * `baselineState: 'new'`, and each policy document that changed or appeared adds a `baseline-drift` finding.
 *
 * @example
 * // given: import { runAudit } from './engine';
 * // given: declare const input: AuditInput;
 * const compared = applyBaseline(await runAudit(input), input, await readBaseline('audit-baseline.json'), 'audit-baseline.json');
 */
export function applyBaseline(result: AuditResult, input: AuditInput, baseline: Baseline, file: string): AuditResult {
  const accepted = new Set(baseline.findings.map((f) => f.fingerprint));
  const fresh = result.findings.filter((f) => !accepted.has(fingerprint(f))).map((f): Finding => ({ ...f, baselineState: 'new' }));
  const drift = input.documents.flatMap((doc) => {
    const before = baseline.documents[doc.id];
    if (before === undefined) return [driftFinding(doc, 'added')];
    return before === documentHash(doc) ? [] : [driftFinding(doc, 'changed')];
  });
  const findings = [...fresh, ...drift].sort(compareFindings);
  const summary = { ...result.summary, ...summarise(findings, result.summary.inputs) };
  return {
    ...result,
    findings,
    summary: { ...summary, baseline: { file, accepted: result.findings.length - fresh.length, new: fresh.length } },
  };
}

/** @throws MeshgateError `audit_input_invalid` when the file is missing or not a baseline */
export async function readBaseline(file: string): Promise<Baseline> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new MeshgateError('audit_input_invalid', `cannot read baseline ${file}: ${(err as Error).message}`, { cause: err });
  }
  const b = value as Partial<Baseline> | null;
  if (b === null || typeof b !== 'object' || b.version !== 1 || !Array.isArray(b.findings) || typeof b.documents !== 'object') {
    throw new MeshgateError('audit_input_invalid', `${file} is not a meshgate audit baseline (version 1)`);
  }
  return b as Baseline;
}

export async function writeBaseline(file: string, baseline: Baseline): Promise<void> {
  await writeFile(file, `${JSON.stringify(baseline, null, 2)}\n`);
}
