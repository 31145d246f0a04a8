// privilege-escalation: permissions that make up a published escalation method, in one document or
// across all of one principal's policies (combined methods such as PassRole + CreateFunction + InvokeFunction).
import { ESCALATION_METHODS, type EscalationMethod } from '../escalation-methods';
import { isAwsOwnedArn, type Claim, type RuleFinding } from '../left-out';
import { passesRoleTo } from '../policy/conditions';
import { allowedResources, coversAction } from '../policy/grants';
import { isSelfScopedUser } from '../policy/matching';
import type { NormalisedDocument, Statement } from '../policy/normalise';
import { statementFinding, type Rule } from './rule';

/** `customer`: only resources a customer can change count; `any`: AWS-owned ones too (to count what is left out). */
type Scope = 'customer' | 'any';

/** The Allow statement that grants `permission` of `method` on some resource after Deny statements, if any. */
function granting(statements: readonly Statement[], permission: string, method: EscalationMethod, scope: Scope): Statement | undefined {
  return statements.find((st) => {
    if (st.effect !== 'Allow' || !coversAction(st, permission)) return false;
    // iam:PassedToService limits where the role may go: a role passed only to DAX launches no Lambda function.
    if (permission === 'iam:PassRole' && method.passTo && !passesRoleTo(st.conditions, method.passTo)) return false;
    let resources = allowedResources(st, permission, statements);
    // Only credential actions are harmless on oneself; attaching or putting a policy on oneself is escalation.
    if (method.credential) resources = resources.filter((r) => !isSelfScopedUser(r));
    if (scope === 'customer') resources = resources.filter((r) => !isAwsOwnedArn(r));
    return resources.length > 0;
  });
}

/** The statement granting each permission of the method, or undefined when one is missing. */
function satisfy(statements: readonly Statement[], method: EscalationMethod, scope: Scope): Statement[] | undefined {
  const grants: Statement[] = [];
  for (const permission of method.permissions) {
    const st = granting(statements, permission, method, scope);
    if (st === undefined) return undefined;
    grants.push(st);
  }
  return grants;
}

/** Reports on the statement granting the method's distinctive permission (not iam:PassRole). */
function anchorOf(method: EscalationMethod, grants: readonly Statement[]): Statement {
  const index = method.permissions.findIndex((p) => p !== 'iam:PassRole');
  return grants[index === -1 ? 0 : index]!;
}

interface Hit {
  readonly method: EscalationMethod;
  /** The statement granting each permission; they may come from several of a principal's documents. */
  readonly grants: readonly Statement[];
  readonly anchor: Statement;
  /** The method needs a resource AWS owns (`arn:aws:iam::aws:policy/*`): it cannot happen. */
  readonly awsOwned: boolean;
}

/** The method's hit on `statements`, marked `awsOwned` when only AWS-owned resources complete it. */
function hitOf(statements: readonly Statement[], method: EscalationMethod): Hit | undefined {
  const grants = satisfy(statements, method, 'customer');
  if (grants) return { method, grants, anchor: anchorOf(method, grants), awsOwned: false };
  const owned = satisfy(statements, method, 'any');
  return owned ? { method, grants: owned, anchor: anchorOf(method, owned), awsOwned: true } : undefined;
}

/** Each statement of the hits with the method permissions it grants. */
function claimsOf(hits: readonly Hit[]): Claim[] {
  return hits.flatMap((hit) => hit.grants.map((statement, i) => ({ statement, actions: [hit.method.permissions[i]!] })));
}

function report(hits: readonly Hit[], resource: string | undefined, principal: string | undefined): RuleFinding[] {
  const groups = new Map<Statement, Map<boolean, Hit[]>>();
  for (const hit of hits) {
    const byOwner = groups.get(hit.anchor) ?? new Map<boolean, Hit[]>();
    byOwner.set(hit.awsOwned, [...(byOwner.get(hit.awsOwned) ?? []), hit]);
    groups.set(hit.anchor, byOwner);
  }
  return [...groups.entries()].flatMap(([anchor, byOwner]) =>
    [...byOwner.entries()].map(([awsOwned, group]) => {
      const first = group[0]!.method;
      const methods = group.map((h) => `${h.method.id} (${h.method.permissions.join(' + ')})`);
      const docs = [...new Set(group.flatMap((h) => h.grants.map((g) => g.doc.input.resource)))];
      const across = docs.length > 1 ? ` across ${docs.join(', ')}` : '';
      const found = statementFinding('privilege-escalation', anchor, {
        ...(resource ? { resource } : {}),
        principal,
        action: first.permissions.join(' + '),
        message: `grants privilege escalation ${methods.join(', ')}${across}: remove the action, restrict Resource to what it must manage, or add a Deny`,
        ...(awsOwned ? { leftOut: 'awsOwnedResources' as const } : {}),
      });
      // A finding on one document stands for its grants there; a principal's combined finding leaves each document's own.
      return resource ? found : { ...found, claims: claimsOf(group) };
    }),
  );
}

function documentHits(doc: NormalisedDocument): Hit[] {
  return ESCALATION_METHODS.flatMap((method) => hitOf(doc.statements, method) ?? []);
}

export const privilegeEscalation: Rule = {
  kind: 'privilege-escalation',
  run(ctx) {
    const identity = ctx.documents.filter((d) => d.input.policyKind === 'identity');
    const perDocument = identity.flatMap((doc) => report(documentHits(doc), undefined, undefined));
    // Methods that no single document grants but a principal's policies grant together.
    const perPrincipal = [...ctx.principals.entries()].flatMap(([principal, docs]) => {
      const statements = docs.flatMap((d) => d.statements);
      const hits = ESCALATION_METHODS.flatMap((method) => {
        if (docs.some((d) => !d.input.awsManaged && satisfy(d.statements, method, 'any'))) return [];
        return hitOf(statements, method) ?? [];
      });
      return report(hits, principal, principal);
    });
    return [...perDocument, ...perPrincipal];
  },
};
