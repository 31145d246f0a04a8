// public-principal: a resource or trust policy that lets anyone in without a condition pinning the caller or source.
import { narrowsCaller } from '../policy/conditions';
import { fencedByDeny } from '../policy/grants';
import { allowStatements, sample, statementFinding, type Rule } from './rule';

export const publicPrincipal: Rule = {
  kind: 'public-principal',
  run(ctx) {
    return allowStatements(ctx, ['resource', 'trust'])
      .filter((st) => (st.principal?.everyone ?? false) || st.notPrincipal !== undefined)
      .filter((st) => !st.conditions.some(narrowsCaller) && !fencedByDeny(st, st.doc.statements))
      .map((st) => {
        const who = st.notPrincipal ? 'NotPrincipal (everyone else)' : 'Principal "*"';
        const actions = st.actions ? sample(st.actions) : `everything but ${sample(st.notActions ?? [])}`;
        return statementFinding('public-principal', st, {
          principal: st.notPrincipal ? 'NotPrincipal' : '*',
          action: st.actions?.join(', '),
          message: `${who} may ${actions} with no condition pinning the caller: name the principals or add aws:SourceArn, aws:SourceAccount or aws:PrincipalOrgID (StringEquals/ArnLike, not IfExists)`,
        });
      });
  },
};
