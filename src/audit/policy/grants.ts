// What a statement grants and which Deny statements take it away: the shared ground of every policy rule.
import { actionMatches, hasWildcard, resourceMatches } from './matching';
import { denyNarrowsCaller } from './conditions';
import type { Statement } from './normalise';

/** True when the statement's Action/NotAction covers `action` (which may itself be a pattern). */
export function coversAction(statement: Statement, action: string): boolean {
  if (statement.actions) return statement.actions.some((p) => actionMatches(p, action));
  // NotAction covers a pattern only if no excluded action can fall inside it; with a wildcard we cannot tell.
  if (hasWildcard(action)) return statement.notActions!.every((p) => !actionMatches(action, p) && !actionMatches(p, action));
  return !statement.notActions!.some((p) => actionMatches(p, action));
}

/** True when the statement's Resource/NotResource covers `resource` (which may itself be a pattern). */
export function coversResource(statement: Statement, resource: string): boolean {
  if (statement.resources) return statement.resources.some((p) => resourceMatches(p, resource));
  if (!statement.notResources) return true; // trust policies have no Resource: the role itself
  if (hasWildcard(resource)) return false;
  return !statement.notResources.some((p) => resourceMatches(p, resource));
}

/** The resources an Allow applies to, for reporting: its Resource list, or `*` when it uses NotResource. */
export function grantedResources(statement: Statement): readonly string[] {
  return statement.resources ?? ['*'];
}

/**
 * True when an unconditional Deny among `statements` removes `action` on `resource`. A Deny with a
 * condition may not apply to every request, so it never counts as covering.
 */
export function isDenied(statements: readonly Statement[], action: string, resource: string): boolean {
  return statements.some((s) => s.effect === 'Deny' && s.conditions.length === 0 && coversAction(s, action) && coversResource(s, resource));
}

/** The resources of `allow` on which `action` is still allowed after the Deny statements. */
export function allowedResources(allow: Statement, action: string, statements: readonly Statement[]): string[] {
  return grantedResources(allow).filter((r) => !isDenied(statements, action, r));
}

/**
 * True when a Deny for every principal keeps out callers outside an account, organization or source
 * (`StringNotEquals aws:PrincipalOrgID`), for every action `allow` grants: the usual way to fence a public Allow.
 */
export function fencedByDeny(allow: Statement, statements: readonly Statement[]): boolean {
  const actions = allow.actions ?? ['*'];
  return statements.some(
    (s) =>
      s.effect === 'Deny' &&
      (s.principal?.everyone ?? false) &&
      actions.every((a) => coversAction(s, a)) &&
      grantedResources(allow).every((r) => coversResource(s, r)) &&
      s.conditions.some(denyNarrowsCaller),
  );
}

export function allows(statements: readonly Statement[]): Statement[] {
  return statements.filter((s) => s.effect === 'Allow');
}
