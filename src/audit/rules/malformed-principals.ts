// malformed, principal checks from IAM Access Analyzer's policy check reference (ERROR findings) that depend on the
// policy type or the actions beside the principal: NotPrincipal in a role trust policy, a federated principal outside
// one, a SAML provider with sts:AssumeRoleWithWebIdentity (or an OIDC provider with sts:AssumeRoleWithSAML), and an
// IAM Roles Anywhere trust without the three actions Roles Anywhere needs.
import { KIND_INFO } from '../kinds';
import { coversAction } from '../policy/grants';
import type { Statement } from '../policy/normalise';
import { MALFORMED_SUFFIX as SUFFIX } from './malformed';
import { statementFinding, type Rule } from './rule';

const SAML_PROVIDER = /:saml-provider\//;
const ROLES_ANYWHERE = /^rolesanywhere\.amazonaws\.com(\.cn)?$/;
const ROLES_ANYWHERE_ACTIONS = ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'];

const names = (st: Statement, action: string): boolean => (st.actions ?? []).some((a) => a.toLowerCase() === action.toLowerCase());

/** Federated providers must match the web-identity or SAML action the statement names (only Federated principals). */
function providerMismatch(st: Statement): string | undefined {
  const federated = st.principal?.byType.Federated ?? [];
  if (federated.length === 0 || Object.keys(st.principal!.byType).length > 1) return undefined;
  const saml = federated.filter((p) => SAML_PROVIDER.test(p));
  if (names(st, 'sts:AssumeRoleWithWebIdentity') && saml.length === federated.length)
    return `sts:AssumeRoleWithWebIdentity does not work with the SAML provider ${saml[0]!}: use sts:AssumeRoleWithSAML`;
  if (names(st, 'sts:AssumeRoleWithSAML') && saml.length === 0)
    return `sts:AssumeRoleWithSAML does not work with ${federated[0]!}, which is not a SAML provider: use sts:AssumeRoleWithWebIdentity`;
  return undefined;
}

function problemsOf(st: Statement): string[] {
  const problems: string[] = [];
  const kind = st.doc.input.policyKind;
  if (st.notPrincipal && kind === 'trust')
    problems.push('NotPrincipal is not supported in a role trust policy: name who may assume the role with Principal');
  if (kind === 'resource' && (st.principal?.byType.Federated ?? st.notPrincipal?.byType.Federated))
    problems.push('a Federated principal is only supported in a role trust policy: name an AWS or Service principal');
  if (kind === 'trust' && st.effect === 'Allow') {
    const mismatch = providerMismatch(st);
    if (mismatch) problems.push(mismatch);
    if ((st.principal?.byType.Service ?? []).some((s) => ROLES_ANYWHERE.test(s))) {
      const missing = ROLES_ANYWHERE_ACTIONS.filter((a) => !coversAction(st, a));
      if (missing.length > 0)
        problems.push(
          `rolesanywhere.amazonaws.com needs ${ROLES_ANYWHERE_ACTIONS.join(', ')} to assume the role: add ${missing.join(', ')}`,
        );
    }
  }
  return problems;
}

export const malformedPrincipals: Rule = {
  kind: 'malformed',
  run(ctx) {
    return ctx.documents
      .flatMap((d) => d.statements)
      .flatMap((st) =>
        problemsOf(st).map((message) =>
          statementFinding('malformed', st, { severity: KIND_INFO.malformed.severity, message: `${message}: fix the statement ${SUFFIX}` }),
        ),
      );
  },
};
