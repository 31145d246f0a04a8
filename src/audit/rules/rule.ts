// The contract between the engine and each rule, plus the helper that turns a statement into a finding.
import { KIND_INFO } from '../kinds';
import type { LeftOutReason, RuleFinding } from '../left-out';
import type { NormalisedDocument, Statement } from '../policy/normalise';
import type { AuditInput, Finding, FindingActions, FindingKind, SecretInput, Severity } from '../types';

export interface RuleOptions {
  /** Routes that are public by design, as `METHOD /path` (`ANY` matches every method). */
  readonly publicRoutes: readonly string[];
  readonly now: Date;
  /** Days a rotation may run late before it is overdue. */
  readonly rotationGraceDays: number;
}

export interface RuleContext {
  readonly input: AuditInput;
  /** Documents reported on one by one (AWS-managed policies are left out). */
  readonly documents: readonly NormalisedDocument[];
  /** Each principal's identity documents, where the input shows them (account details, templates). */
  readonly principals: ReadonlyMap<string, readonly NormalisedDocument[]>;
  readonly options: RuleOptions;
}

export interface Rule {
  readonly kind: FindingKind;
  /** Findings; one marked `leftOut` is counted in the summary instead of reported. */
  run(ctx: RuleContext): RuleFinding[] | Promise<RuleFinding[]>;
}

export interface FindingFields {
  readonly severity?: Severity;
  readonly resource?: string;
  readonly action?: string;
  readonly actions?: FindingActions;
  readonly resourceArn?: string;
  readonly principal?: string;
  readonly message: string;
  readonly leftOut?: LeftOutReason;
}

/** A finding about one statement: resource, statement ref and location come from the statement. */
export function statementFinding(kind: FindingKind, statement: Statement, fields: FindingFields): RuleFinding {
  const { severity, resource, ...rest } = fields;
  return {
    kind,
    severity: severity ?? KIND_INFO[kind].severity,
    resource: resource ?? statement.doc.input.resource,
    statement: statement.ref,
    ...withoutUndefined(rest),
    ...(statement.location ? { location: statement.location } : {}),
  };
}

export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Shortens a list for a one-line message: `a, b, c and 4 more`. */
export function sample(items: readonly string[], max = 3): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** Allow statements of documents of the given kinds. */
export function allowStatements(ctx: RuleContext, kinds: readonly NormalisedDocument['input']['policyKind'][]): Statement[] {
  return ctx.documents.filter((d) => kinds.includes(d.input.policyKind)).flatMap((d) => d.statements.filter((s) => s.effect === 'Allow'));
}

/** A finding about a Secrets Manager secret. */
export function secretFinding(secret: SecretInput, kind: FindingKind, message: string): Finding {
  return withoutUndefined({ kind, severity: KIND_INFO[kind].severity, resource: secret.resource, message, location: secret.location });
}
