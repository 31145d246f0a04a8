// GitHub Actions OIDC trust: every workflow on GitHub gets a token from the same issuer, so a role that trusts it
// without pinning the token's subject to an owner can be assumed from anyone's repository.
import { coversAction } from './grants';
import { requiresKey, STRING_POSITIVE_BASES, type ConditionClause } from './conditions';
import type { Statement } from './normalise';

// The shared issuer, as a host or an oidc-provider ARN (its account may be a template's `${AWS::AccountId}`).
// An enterprise's own issuer (`.../my-enterprise`) only serves that enterprise's workflows: not open to everyone.
const PROVIDER = /^(?:arn:[^:]+:iam::(?:\$\{[^}]*\}|[^:]*):oidc-provider\/)?token\.actions\.githubusercontent\.com$/i;
const SUBJECT_KEY = /^token\.actions\.githubusercontent\.com(?:\/[^:]+)?:sub$/;
// Subjects whose first claim names an owner or a repository, which another GitHub user cannot take: the default
// `repo:owner/name:...`, or a custom claim template starting with the owner or repository (name or id). A subject
// starting with any other claim (`workflow:deploy`, `environment:prod`) can be produced from anyone's repository.
const OWNER_SUBJECT = /^(?:repo:[^/]+\/|(?:repository_owner_id|repository_owner|repository_id|repository):[^:]+:)/i;

/** True when `statement` lets the GitHub Actions OIDC provider assume the role. */
function trustsGitHubActions(statement: Statement): boolean {
  const federated = statement.principal?.byType.Federated ?? [];
  return federated.some((p) => PROVIDER.test(p)) && coversAction(statement, 'sts:AssumeRoleWithWebIdentity');
}

/** The fixed part of a subject value: all of it, or with StringLike the text before its first wildcard. */
function fixedPrefix(value: string, base: string): string {
  return base === 'StringLike' ? value.split(/[*?]/)[0]! : value;
}

/**
 * True when the clause pins the token's subject to an owner or repository: a positive string operator on the
 * subject key, not `...IfExists` and not `ForAllValues` (a token without the key would pass), with every value naming
 * an owner in its fixed part (`repo:my-org/*` pins, `repo:my-org*` and `*` do not).
 */
function pinsGitHubSubject(clause: ConditionClause): boolean {
  return (
    SUBJECT_KEY.test(clause.key) &&
    requiresKey(clause, STRING_POSITIVE_BASES) &&
    clause.values.length > 0 &&
    clause.values.every((v) => OWNER_SUBJECT.test(fixedPrefix(v, clause.base)))
  );
}

/** A statement that lets any GitHub Actions workflow, in anyone's repository, assume the role. */
export function openToAllGitHubActions(statement: Statement): boolean {
  return trustsGitHubActions(statement) && !statement.conditions.some(pinsGitHubSubject);
}
