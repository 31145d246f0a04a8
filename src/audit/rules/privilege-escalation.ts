// privilege-escalation: permissions that make up a published escalation method, in one document or
// across all of one principal's policies (combined methods such as PassRole + CreateFunction + InvokeFunction).
import { ESCALATION_METHODS, type EscalationMethod } from '../escalation-methods';
import { allowedResources, coversAction } from '../policy/grants';
import { isSelfScopedUser } from '../policy/matching';
import type { NormalisedDocument, Statement } from '../policy/normalise';
import type { Finding } from '../types';
import { statementFinding, type Rule } from './rule';

/** The Allow statement that grants `permission` on some resource after Deny statements, if any. */
function granting(statements: readonly Statement[], permission: string, credential: boolean): Statement | undefined {
  return statements.find((st) => {
    if (st.effect !== 'Allow' || !coversAction(st, permission)) return false;
    const resources = allowedResources(st, permission, statements);
    // Only credential actions are harmless on oneself; attaching or putting a policy on oneself is escalation.
    return (credential ? resources.filter((r) => !isSelfScopedUser(r)) : resources).length > 0;
  });
}

/** The statement granting each permission of the method, or undefined when one is missing. */
function satisfy(statements: readonly Statement[], method: EscalationMethod): Statement[] | undefined {
  const grants: Statement[] = [];
  for (const permission of method.permissions) {
    const st = granting(statements, permission, method.credential === true);
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
  readonly anchor: Statement;
  readonly documents: readonly string[];
}

function report(hits: readonly Hit[], resource: string | undefined, principal: string | undefined): Finding[] {
  const byAnchor = new Map<Statement, Hit[]>();
  for (const hit of hits) byAnchor.set(hit.anchor, [...(byAnchor.get(hit.anchor) ?? []), hit]);
  return [...byAnchor.entries()].map(([anchor, group]) => {
    const first = group[0]!.method;
    const methods = group.map((h) => `${h.method.id} (${h.method.permissions.join(' + ')})`);
    const docs = [...new Set(group.flatMap((h) => h.documents))];
    const across = docs.length > 1 ? ` across ${docs.join(', ')}` : '';
    return statementFinding('privilege-escalation', anchor, {
      ...(resource ? { resource } : {}),
      principal,
      action: first.permissions.join(' + '),
      message: `grants privilege escalation ${methods.join(', ')}${across}: remove the action, restrict Resource to what it must manage, or add a Deny`,
    });
  });
}

function documentHits(doc: NormalisedDocument): Hit[] {
  return ESCALATION_METHODS.flatMap((method) => {
    const grants = satisfy(doc.statements, method);
    return grants ? [{ method, anchor: anchorOf(method, grants), documents: [doc.input.resource] }] : [];
  });
}

export const privilegeEscalation: Rule = {
  kind: 'privilege-escalation',
  run(ctx) {
    const identity = ctx.documents.filter((d) => d.input.policyKind === 'identity');
    const perDocument = identity.flatMap((doc) => report(documentHits(doc), undefined, undefined));
    // Methods that no single document grants but a principal's policies grant together.
    const perPrincipal = [...ctx.principals.entries()].flatMap(([principal, docs]) => {
      const statements = docs.flatMap((d) => d.statements);
      const hits = ESCALATION_METHODS.flatMap((method): Hit[] => {
        if (docs.some((d) => !d.input.awsManaged && satisfy(d.statements, method))) return [];
        const grants = satisfy(statements, method);
        if (!grants) return [];
        return [{ method, anchor: anchorOf(method, grants), documents: [...new Set(grants.map((g) => g.doc.input.resource))] }];
      });
      return report(hits, principal, principal);
    });
    return [...perDocument, ...perPrincipal];
  },
};
