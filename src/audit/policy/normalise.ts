// Turns a raw policy document into checked statements; every defect becomes a `malformed` problem, never an exception.
import type { PolicyDocumentInput, SourceLocation } from '../types';
import { parseOperator, type ConditionClause } from './conditions';
import { isPlainObject as isObject } from '../../config/check';
import { resourceSyntaxProblems } from './grammar/arn';
import { checkConditionEntry, checkOperator } from './grammar/condition-operators';
import { principalProblems } from './grammar/principals';
import { actionProblems, resourceServiceProblems, rulesFor, sidProblems, type PolicyTypeRules } from './grammar/policy-types';

export type Effect = 'Allow' | 'Deny';

export interface Principals {
  /** `Principal: "*"` or any principal type listing `*`. */
  readonly everyone: boolean;
  /** Principal values by type (`AWS`, `Service`, `Federated`, `CanonicalUser`). */
  readonly byType: Readonly<Record<string, readonly string[]>>;
}

export interface Statement {
  readonly doc: NormalisedDocument;
  readonly index: number;
  /** `Sid` when present, else the index. */
  readonly ref: string | number;
  readonly effect: Effect;
  readonly actions?: readonly string[];
  readonly notActions?: readonly string[];
  readonly resources?: readonly string[];
  readonly notResources?: readonly string[];
  readonly principal?: Principals;
  readonly notPrincipal?: Principals;
  readonly conditions: readonly ConditionClause[];
  readonly location?: SourceLocation;
}

export interface PolicyProblem {
  readonly statement?: string | number;
  readonly message: string;
  readonly location?: SourceLocation;
}

export interface NormalisedDocument {
  readonly input: PolicyDocumentInput;
  readonly statements: Statement[];
  readonly problems: PolicyProblem[];
  readonly location?: SourceLocation;
}

const VERSIONS = new Set(['2012-10-17', '2008-10-17']);
const DOCUMENT_KEYS = new Set(['Version', 'Id', 'Statement']);
const ACTION_FORM = /^[a-z0-9-]+:[a-z0-9*?_-]+$/i;
const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Principal',
  'NotPrincipal',
  'Condition',
]);

/** A defect that leaves the statement unreadable: it is reported and left out. */
class StatementProblem extends Error {}

/** Defects that leave the statement readable: reported, and the statement is still audited. */
type Issues = string[];

function locationOf(input: PolicyDocumentInput, extra: readonly (string | number)[]): SourceLocation | undefined {
  const source = input.source;
  if (!source) return undefined;
  const line = source.locate([...source.path, ...extra]) ?? source.locate(source.path);
  return line === undefined ? { file: source.file } : { file: source.file, line };
}

function stringList(field: string, value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new StatementProblem(`${field} is empty`);
  return list.map((item) => {
    if (typeof item !== 'string' || item.length === 0) throw new StatementProblem(`${field} must hold non-empty strings`);
    return item;
  });
}

function readPrincipals(field: string, value: unknown, issues: Issues): Principals {
  if (value === '*') return { everyone: true, byType: { AWS: ['*'] } };
  if (!isObject(value)) throw new StatementProblem(`${field} must be "*" or an object like {"AWS": [...]}`);
  const byType: Record<string, string[]> = {};
  for (const [type, list] of Object.entries(value)) byType[type] = stringList(`${field}.${type}`, list);
  issues.push(...principalProblems(field, byType));
  return { everyone: Object.values(byType).some((list) => list.includes('*')), byType };
}

function readConditions(value: unknown, issues: Issues): ConditionClause[] {
  if (value === undefined) return [];
  if (!isObject(value)) throw new StatementProblem('Condition must be an object of operators');
  const clauses: ConditionClause[] = [];
  for (const [operator, block] of Object.entries(value)) {
    if (!isObject(block)) throw new StatementProblem(`Condition.${operator} must be an object of condition keys`);
    const checked = checkOperator(operator);
    if ('problem' in checked) issues.push(checked.problem);
    for (const [key, raw] of Object.entries(block)) {
      const list: unknown[] = Array.isArray(raw) ? raw : [raw];
      const values = list.map((v) => {
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
        throw new StatementProblem(`Condition.${operator}.${key} must hold strings, numbers or booleans`);
      });
      const types = new Set(list.map((v) => typeof v));
      if (types.size > 1)
        issues.push(`Condition.${operator}.${key} mixes ${[...types].join(' and ')} values: write them all as one JSON type`);
      if ('type' in checked) issues.push(...checkConditionEntry(operator, checked.type, key, list));
      clauses.push({ operator, ...parseOperator(operator), key: key.toLowerCase(), values });
    }
  }
  return clauses;
}

function exactlyOne(raw: Record<string, unknown>, a: string, b: string, required: boolean): void {
  if (raw[a] !== undefined && raw[b] !== undefined) throw new StatementProblem(`has both ${a} and ${b}`);
  if (required && raw[a] === undefined && raw[b] === undefined) throw new StatementProblem(`missing ${a}`);
}

function readActions(field: string, value: unknown, rules: PolicyTypeRules, issues: Issues): string[] | undefined {
  if (value === undefined) return undefined;
  const list = stringList(field, value);
  for (const action of list) {
    if (action !== '*' && !ACTION_FORM.test(action)) throw new StatementProblem(`action "${action}" is not in service:Action form`);
  }
  issues.push(...actionProblems(rules, field, list));
  return list;
}

function readResources(field: string, value: unknown, rules: PolicyTypeRules, issues: Issues): string[] | undefined {
  if (value === undefined) return undefined;
  const list = stringList(field, value);
  const options = { element: field, allowExecuteApiShorthand: rules.executeApiShorthand };
  issues.push(...list.flatMap((r) => resourceSyntaxProblems(r, options)), ...resourceServiceProblems(rules, field, list));
  return list;
}

function readStatement(
  doc: NormalisedDocument,
  raw: unknown,
  index: number,
  location: SourceLocation | undefined,
  rules: PolicyTypeRules,
  issues: Issues,
): Statement {
  if (!isObject(raw)) throw new StatementProblem('statement must be an object');
  const unknown = Object.keys(raw).filter((k) => !STATEMENT_KEYS.has(k));
  if (unknown.length > 0) throw new StatementProblem(`unknown element ${unknown.join(', ')}`);
  const kind = doc.input.policyKind;
  if (raw.Effect === undefined) throw new StatementProblem('missing Effect');
  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny')
    throw new StatementProblem(`unknown Effect ${JSON.stringify(raw.Effect)} (Allow or Deny)`);
  exactlyOne(raw, 'Action', 'NotAction', true);
  exactlyOne(raw, 'Resource', 'NotResource', rules.resourceRequired);
  exactlyOne(raw, 'Principal', 'NotPrincipal', kind !== 'identity');
  if (kind === 'identity' && (raw.Principal !== undefined || raw.NotPrincipal !== undefined)) {
    throw new StatementProblem('Principal is not allowed in an identity policy');
  }
  if (rules.resourceForbidden && (raw.Resource !== undefined || raw.NotResource !== undefined))
    issues.push(`${raw.Resource === undefined ? 'NotResource' : 'Resource'} is not allowed in a ${rules.label} (the role is the resource)`);
  const sid = typeof raw.Sid === 'string' && raw.Sid.length > 0 ? raw.Sid : undefined;
  return {
    doc,
    index,
    ref: sid ?? index,
    effect: raw.Effect,
    actions: readActions('Action', raw.Action, rules, issues),
    notActions: readActions('NotAction', raw.NotAction, rules, issues),
    resources: readResources('Resource', raw.Resource, rules, issues),
    notResources: readResources('NotResource', raw.NotResource, rules, issues),
    principal: raw.Principal === undefined ? undefined : readPrincipals('Principal', raw.Principal, issues),
    notPrincipal: raw.NotPrincipal === undefined ? undefined : readPrincipals('NotPrincipal', raw.NotPrincipal, issues),
    conditions: readConditions(raw.Condition, issues),
    ...(location ? { location } : {}),
  };
}

function documentProblems(raw: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const unknown = Object.keys(raw).filter((k) => !DOCUMENT_KEYS.has(k));
  if (unknown.length > 0) problems.push(`unknown document element ${unknown.join(', ')} (a policy has Version, Id and Statement)`);
  if (raw.Id !== undefined && typeof raw.Id !== 'string') problems.push(`Id ${JSON.stringify(raw.Id)} must be a string`);
  return problems;
}

/**
 * Checks a policy document against IAM's grammar and the rules of its policy type (see grammar/) and
 * returns its statements plus one problem per defect. A statement that cannot be read is left out; one
 * with grammar defects (a bad ARN, an unknown condition operator) is kept as written, so one typo never
 * hides the rest of a policy. ARN formats per service are checked later, by the `malformed` rule.
 *
 * @example
 * // given: declare const json: unknown;
 * const doc = normalise({ id: 'p', resource: 'p.json', policyKind: 'identity', document: json });
 * doc.statements.filter((s) => s.effect === 'Allow');
 */
export function normalise(input: PolicyDocumentInput): NormalisedDocument {
  const docLocation = locationOf(input, []);
  const doc: NormalisedDocument = { input, statements: [], problems: [], ...(docLocation ? { location: docLocation } : {}) };
  const raw = input.document;
  const problem = (message: string, location = docLocation, statement?: string | number): void => {
    doc.problems.push({ message, ...(statement === undefined ? {} : { statement }), ...(location ? { location } : {}) });
  };
  if (!isObject(raw)) {
    problem('policy document must be a JSON object');
    return doc;
  }
  if (raw.Version !== undefined && typeof raw.Version !== 'string') {
    problem(`Version must be a string ("2012-10-17"), not ${JSON.stringify(raw.Version)}`, locationOf(input, ['Version']));
  } else if (raw.Version !== undefined && !VERSIONS.has(raw.Version)) {
    problem(`Version ${JSON.stringify(raw.Version)} is not valid: use "2012-10-17"`, locationOf(input, ['Version']));
  }
  for (const message of documentProblems(raw)) problem(message);
  if (raw.Statement === undefined) {
    problem('missing Statement');
    return doc;
  }
  if (!Array.isArray(raw.Statement) && !isObject(raw.Statement)) {
    problem('Statement must be a statement object or an array of them');
    return doc;
  }
  const list: unknown[] = Array.isArray(raw.Statement) ? raw.Statement : [raw.Statement];
  const rules = rulesFor(input);
  const sids = sidProblems(
    rules,
    list.map((item) => (isObject(item) ? item.Sid : undefined)),
  );
  list.forEach((item, index) => {
    const location = locationOf(input, Array.isArray(raw.Statement) ? ['Statement', index] : ['Statement']);
    const ref = isObject(item) && typeof item.Sid === 'string' && item.Sid.length > 0 ? item.Sid : index;
    const issues: Issues = [...(sids.get(index) ?? [])];
    try {
      doc.statements.push(readStatement(doc, item, index, location, rules, issues));
    } catch (err) {
      if (!(err instanceof StatementProblem)) throw err;
      problem(err.message, location, ref);
    }
    for (const message of issues) problem(message, location, ref);
  });
  return doc;
}
