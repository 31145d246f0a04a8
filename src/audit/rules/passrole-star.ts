// passrole-star: iam:PassRole on "*" or on a pattern that matches every role of an account.
import { passedToServices } from '../policy/conditions';
import { allowedResources, coversAction } from '../policy/grants';
import { matchesEveryRole } from '../policy/matching';
import { allowStatements, sample, statementFinding, type Rule } from './rule';

export const passroleStar: Rule = {
  kind: 'passrole-star',
  run(ctx) {
    return allowStatements(ctx, ['identity']).flatMap((st) => {
      if (!coversAction(st, 'iam:PassRole')) return [];
      const everyRole = allowedResources(st, 'iam:PassRole', st.doc.statements).filter(matchesEveryRole);
      const first = everyRole[0];
      if (first === undefined) return [];
      const toServices = passedToServices(st.conditions);
      return [
        {
          ...statementFinding('passrole-star', st, {
            severity: toServices ? 'medium' : 'high',
            action: 'iam:PassRole',
            resourceArn: first,
            message: toServices
              ? `iam:PassRole on "${first}" can hand any role to ${sample(toServices)} (iam:PassedToService): list the role ARNs it must pass`
              : `iam:PassRole on "${first}" can hand any role to a service: list the role ARNs it must pass and add an iam:PassedToService condition`,
          }),
          claims: [{ statement: st, actions: ['iam:PassRole'] }],
        },
      ];
    });
  },
};
