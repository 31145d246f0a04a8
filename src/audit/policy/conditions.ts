// Condition-block analysis: which clauses pin a caller or a source, and which do not.

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
  ].map((k) => k.toLowerCase()),
);

const POSITIVE_BASES = new Set(['StringEquals', 'StringEqualsIgnoreCase', 'StringLike', 'ArnEquals', 'ArnLike']);
const NEGATED_BASES = new Set(['StringNotEquals', 'StringNotEqualsIgnoreCase', 'StringNotLike', 'ArnNotEquals', 'ArnNotLike']);

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
 * True when the clause narrows a public principal: a narrowing key with a positive operator,
 * not `...IfExists` (a caller without the key would pass) and not `ForAllValues` (an empty set passes),
 * with at least one value that is not a bare `*`.
 */
export function narrowsCaller(clause: ConditionClause): boolean {
  return (
    NARROWING_KEYS.has(clause.key) &&
    POSITIVE_BASES.has(clause.base) &&
    !clause.ifExists &&
    clause.setOperator !== 'ForAllValues' &&
    clause.values.some((v) => v !== '*')
  );
}

/** True when a Deny clause keeps out every caller outside an account/org/source (the mirror of {@link narrowsCaller}). */
export function denyNarrowsCaller(clause: ConditionClause): boolean {
  return NARROWING_KEYS.has(clause.key) && NEGATED_BASES.has(clause.base) && clause.values.some((v) => v !== '*');
}

/** True when some clause has a positive `iam:PassedToService` condition. */
export function limitsPassedToService(clauses: readonly ConditionClause[]): boolean {
  return clauses.some((c) => c.key === 'iam:passedtoservice' && POSITIVE_BASES.has(c.base) && !c.ifExists);
}
