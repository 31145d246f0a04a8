// public-principal: a resource or trust policy that lets anyone in without a condition pinning the caller or source.
import { narrowsCaller } from '../policy/conditions';
import { openToAllGitHubActions } from '../policy/github-oidc';
import { fencedByDeny } from '../policy/grants';
import type { Statement } from '../policy/normalise';
import type { RuleFinding } from '../left-out';
import { allowStatements, sample, statementFinding, type Rule } from './rule';

/** The fix that fits the policy: a trust policy cannot take NotPrincipal at all, and no condition fixes that. */
function fixFor(st: Statement): string {
  if (st.notPrincipal && st.doc.input.policyKind === 'trust')
    return 'IAM rejects NotPrincipal in a role trust policy: replace it with Principal naming who may assume the role';
  if (st.notPrincipal) return 'use Principal naming who may call, or add aws:PrincipalOrgID or aws:PrincipalAccount (StringEquals)';
  return 'name the principals or add aws:SourceArn, aws:SourceAccount or aws:PrincipalOrgID (StringEquals/ArnLike, not IfExists)';
}

function everyoneFinding(st: Statement): RuleFinding {
  const who = st.notPrincipal ? 'NotPrincipal (everyone else)' : 'Principal "*"';
  const actions = st.actions ? sample(st.actions) : `everything but ${sample(st.notActions ?? [])}`;
  return statementFinding('public-principal', st, {
    principal: st.notPrincipal ? 'NotPrincipal' : '*',
    action: st.actions?.join(', '),
    message: `${who} may ${actions} with no condition pinning the caller: ${fixFor(st)}`,
  });
}

function gitHubActionsFinding(st: Statement): RuleFinding {
  return statementFinding('public-principal', st, {
    principal: 'token.actions.githubusercontent.com',
    action: 'sts:AssumeRoleWithWebIdentity',
    message:
      'trusts GitHub Actions OIDC without a token.actions.githubusercontent.com:sub condition naming an owner, so a workflow in anyone\'s repository may assume the role: add StringLike "token.actions.githubusercontent.com:sub": "repo:<owner>/<repo>:*"',
  });
}

export const publicPrincipal: Rule = {
  kind: 'public-principal',
  run(ctx) {
    const statements = allowStatements(ctx, ['resource', 'trust']);
    const everyone = statements
      .filter((st) => (st.principal?.everyone ?? false) || st.notPrincipal !== undefined)
      .filter((st) => !st.conditions.some(narrowsCaller) && !fencedByDeny(st, st.doc.statements))
      .map(everyoneFinding);
    const gitHub = statements.filter((st) => !(st.principal?.everyone ?? false) && openToAllGitHubActions(st)).map(gitHubActionsFinding);
    return [...everyone, ...gitHub];
  },
};
