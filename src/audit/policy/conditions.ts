// Condition-block analysis: which clauses pin a caller or a source, and which services a passed role may go to.
import { resourceMatches as globMatches } from './matching';

export interface ConditionClause {
  /** The operator as written, e.g. `ForAnyValue:StringLikeIfExists`. */
  readonly operator: string;
  /** The operator without set prefix and IfExists suffix, e.g. `StringLike`. */
  readonly base: string;
  readonly setOperator: 'ForAnyValue' | 'ForAllValues' | undefined;
  readonly ifExists: boolean;
  readonly negated: boolean;
  /** Condition key, lower-cased (IAM compares keys case-insensitively). */
  readonly key: string;
  readonly values: readonly string[];
}

/** Keys that pin the caller or the source to an account, organization, ARN, VPC endpoint or external id. */
export const NARROWING_KEYS: ReadonlySet<string> = new Set(
  [
    'aws:SourceArn',
    'aws:SourceAccount',
    'aws:SourceOwner',
    'aws:PrincipalOrgID',
    'aws:PrincipalOrgPaths',
    'aws:PrincipalAccount',
    'aws:PrincipalArn',
    'aws:SourceVpce',
    'aws:SourceVpc',
    'aws:SourceOrgID',
    'kms:CallerAccount',
    'sts:ExternalId',
    'aws:userid',
  ].map((k) => k.toLowerCase()),
);

/** Positive string operators: the value must match one of the listed strings. */
export const STRING_POSITIVE_BASES: ReadonlySet<string> = new Set(['StringEquals', 'StringEqualsIgnoreCase', 'StringLike']);
/** Positive string and ARN operators. */
export const POSITIVE_BASES: ReadonlySet<string> = new Set([...STRING_POSITIVE_BASES, 'ArnEquals', 'ArnLike']);
const NEGATED_BASES = new Set(['StringNotEquals', 'StringNotEqualsIgnoreCase', 'StringNotLike', 'ArnNotEquals', 'ArnNotLike']);
const ARN_KEYS = new Set(['aws:sourcearn', 'aws:principalarn']);
const ORG_PATH_KEYS = new Set(['aws:principalorgpaths']);
// Operators that read `*` and `?` as wildcards; StringEquals compares them literally.
export const WILDCARD_BASES: ReadonlySet<string> = new Set(['StringLike', 'ArnEquals', 'ArnLike']);
// Variables that stand for the resource owner's own account or organization: pinning to them is pinning.
const OWNER_VARIABLE = /^\$\{aws:Resource(?:Account|OrgID|OrgPaths)\}$/i;
// An IAM policy variable (`${aws:username}`); CloudFormation placeholders (`${AWS::AccountId}`) have a double colon.
const POLICY_VARIABLE = /^\$\{[a-z0-9-]+:[a-z0-9_-]+\}$/i;
const FREE = '\u0000'; // stands for a policy variable: a value the caller chooses

/** Replaces `${...}` so the value splits on ':' safely: caller-chosen variables become FREE, the rest fixed text. */
function flatten(value: string): string {
  return value.replace(/\$\{[^}]*\}/g, (v) => {
    if (OWNER_VARIABLE.test(v)) return 'owner';
    if (POLICY_VARIABLE.test(v)) return FREE;
    return v === '${*}' || v === '${?}' || v === '${$}' ? 'x' : 'placeholder'; // escapes are literal characters
  });
}

/** True when `part` of a flattened value can stand for more than one caller. */
function matchesMany(part: string, wildcards: boolean): boolean {
  return part === '' || part.includes(FREE) || (wildcards && /[*?]/.test(part));
}

/**
 * True when one condition value pins the caller or source, as IAM Access Analyzer and S3 Block Public Access judge it:
 * the account of an ARN, the unique id of an `aws:userid` (`AROAEXAMPLE:*` pins one role, `AROA*:*` pins nothing) and
 * the organization of an OU path must be fixed; other keys need a fixed value.
 */
function pinsValue(key: string, value: string, wildcards: boolean): boolean {
  const flat = flatten(value);
  if (ARN_KEYS.has(key)) {
    const parts = flat.split(':');
    if (parts.length >= 6 && parts[0] === 'arn' && !matchesMany(parts[4]!, wildcards)) return true;
    return !matchesMany(flat, wildcards); // an ARN without an account (an S3 bucket) pins only as a whole
  }
  if (key === 'aws:userid') return !matchesMany(flat.split(':')[0]!, wildcards);
  if (ORG_PATH_KEYS.has(key)) return !matchesMany(flat.split('/')[0]!, wildcards);
  return !matchesMany(flat, wildcards);
}

/** Parses one operator string into its parts. */
export function parseOperator(operator: string): Pick<ConditionClause, 'base' | 'setOperator' | 'ifExists' | 'negated'> {
  let rest = operator;
  let setOperator: ConditionClause['setOperator'];
  const set = /^(ForAnyValue|ForAllValues):/i.exec(rest);
  if (set) {
    setOperator = set[1]!.toLowerCase() === 'foranyvalue' ? 'ForAnyValue' : 'ForAllValues';
    rest = rest.slice(set[0].length);
  }
  const ifExists = /IfExists$/i.test(rest);
  if (ifExists) rest = rest.slice(0, -'IfExists'.length);
  const negated = /Not/.test(rest) && rest !== 'Null';
  return { base: rest, setOperator, ifExists, negated };
}

/**
 * True when the clause uses one of `bases` in a form a request without the key fails: not `...IfExists` (a missing
 * key passes) and not `ForAllValues` (an empty set passes).
 */
export function requiresKey(clause: ConditionClause, bases: ReadonlySet<string>): boolean {
  return bases.has(clause.base) && !clause.ifExists && clause.setOperator !== 'ForAllValues';
}

/**
 * True when the clause narrows a public principal: a narrowing key with a positive operator,
 * not `...IfExists` (a caller without the key would pass) and not `ForAllValues` (an empty set passes),
 * where every value pins (any one value that matches everyone lets everyone in).
 */
export function narrowsCaller(clause: ConditionClause): boolean {
  return (
    NARROWING_KEYS.has(clause.key) &&
    requiresKey(clause, POSITIVE_BASES) &&
    clause.values.length > 0 &&
    clause.values.every((v) => pinsValue(clause.key, v, WILDCARD_BASES.has(clause.base)))
  );
}

/** True when a Deny clause keeps out every caller outside an account/org/source (the mirror of {@link narrowsCaller}). */
export function denyNarrowsCaller(clause: ConditionClause): boolean {
  return (
    NARROWING_KEYS.has(clause.key) &&
    NEGATED_BASES.has(clause.base) &&
    clause.values.length > 0 &&
    clause.values.every((v) => pinsValue(clause.key, v, WILDCARD_BASES.has(clause.base.replace('Not', ''))))
  );
}

/**
 * The clauses that certainly limit which services `iam:PassRole` may pass a role to: a positive string operator on
 * `iam:PassedToService`, not `...IfExists` and not `ForAllValues` (both let a request without the key through).
 */
function passedToServiceLimits(clauses: readonly ConditionClause[]): ConditionClause[] {
  return clauses.filter((c) => c.key === 'iam:passedtoservice' && requiresKey(c, STRING_POSITIVE_BASES));
}

/** True when some clause certainly limits the services a passed role may go to. */
export function limitsPassedToService(clauses: readonly ConditionClause[]): boolean {
  return passedToServiceLimits(clauses).length > 0;
}

/** The services the clauses let a role be passed to, as written (for messages); undefined when not limited. */
export function passedToServices(clauses: readonly ConditionClause[]): string[] | undefined {
  const limits = passedToServiceLimits(clauses);
  return limits.length === 0 ? undefined : [...new Set(limits.flatMap((c) => c.values))];
}

/**
 * True when the statement's conditions let `iam:PassRole` pass a role to at least one of `services`
 * (service principals such as `lambda.amazonaws.com`). Every limiting clause must allow it (clauses are ANDed).
 */
export function passesRoleTo(clauses: readonly ConditionClause[], services: readonly string[]): boolean {
  return passedToServiceLimits(clauses).every((c) =>
    services.some((service) =>
      c.values.some((v) => {
        if (c.base === 'StringLike') return globMatches(v, service);
        return c.base === 'StringEqualsIgnoreCase' ? v.toLowerCase() === service.toLowerCase() : v === service;
      }),
    ),
  );
}
