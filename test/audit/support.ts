// Test helpers for the audit: run the engine on one inline document and pick findings by kind.
import { runAudit, type AuditOptions } from '../../src/audit/engine';
import { emptyInput, type AuditInput, type Finding, type FindingKind, type PolicyKind } from '../../src/audit/types';

export function docInput(document: unknown, policyKind: PolicyKind = 'identity', id = 'policy.json'): AuditInput {
  const input = emptyInput();
  input.documents.push({ id, resource: id, policyKind, document });
  return input;
}

export function allow(action: string | string[], resource: string | string[] = '*', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { Effect: 'Allow', Action: action, Resource: resource, ...extra };
}

export function deny(action: string | string[], resource: string | string[] = '*', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { Effect: 'Deny', Action: action, Resource: resource, ...extra };
}

export function policy(...statements: Record<string, unknown>[]): Record<string, unknown> {
  return { Version: '2012-10-17', Statement: statements };
}

/** Audits one document and returns the findings of one kind. */
export async function findingsOf(kind: FindingKind, document: unknown, policyKind: PolicyKind = 'identity', options?: AuditOptions): Promise<Finding[]> {
  const { findings } = await runAudit(docInput(document, policyKind), options);
  return findings.filter((f) => f.kind === kind);
}

export async function auditInput(input: AuditInput, options?: AuditOptions): Promise<Finding[]> {
  return (await runAudit(input, options)).findings;
}
