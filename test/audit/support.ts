// Test helpers for the audit: run the engine on one inline document, pick findings by kind, run the CLI, validate SARIF.
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { runAudit, type AuditOptions } from '../../src/audit/engine';
import { emptyInput, type AuditInput, type Finding, type FindingKind, type PolicyKind } from '../../src/audit/types';

export function docInput(document: unknown, policyKind: PolicyKind = 'identity', id = 'policy.json'): AuditInput {
  const input = emptyInput();
  input.documents.push({ id, resource: id, policyKind, document });
  return input;
}

export function allow(
  action: string | string[],
  resource: string | string[] = '*',
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { Effect: 'Allow', Action: action, Resource: resource, ...extra };
}

export function deny(
  action: string | string[],
  resource: string | string[] = '*',
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { Effect: 'Deny', Action: action, Resource: resource, ...extra };
}

export function policy(...statements: Record<string, unknown>[]): Record<string, unknown> {
  return { Version: '2012-10-17', Statement: statements };
}

/** Audits one document and returns the findings of one kind. */
export async function findingsOf(
  kind: FindingKind,
  document: unknown,
  policyKind: PolicyKind = 'identity',
  options?: AuditOptions,
): Promise<Finding[]> {
  const { findings } = await runAudit(docInput(document, policyKind), options);
  return findings.filter((f) => f.kind === kind);
}

export async function auditInput(input: AuditInput, options?: AuditOptions): Promise<Finding[]> {
  return (await runAudit(input, options)).findings;
}

export const FIXTURES = 'test/audit/fixtures';

/** Runs `node bin/meshgate.cjs audit ...` and returns its exit code and output. */
export function runCli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ['bin/meshgate.cjs', 'audit', ...args], {
    encoding: 'utf8',
    env: { ...process.env, AWS_REGION: 'eu-west-1' },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

// The schema (from @microsoft/jest-sarif, MIT) is draft-04; Ajv 8 reads it once `id` is spelt `$id`,
// and its language pattern is only valid as a non-unicode regular expression.
export async function sarifValidator(): Promise<(data: unknown) => boolean> {
  const schema = JSON.parse(await readFile(`${FIXTURES}/sarif-schema-2.1.0.json`, 'utf8')) as Record<string, unknown>;
  const { $schema: _draft, id, ...rest } = schema;
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  const validate = ajv.compile({ ...rest, $id: String(id) });
  return (data) => validate(data);
}
