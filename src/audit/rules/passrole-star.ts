// passrole-star: iam:PassRole on "*" or on a pattern that matches every role of an account.
import { limitsPassedToService } from '../policy/conditions';
import { allowedResources, coversAction } from '../policy/grants';
import { matchesEveryRole } from '../policy/matching';
import { allowStatements, statementFinding, type Rule } from './rule';

export const passroleStar: Rule = {
  kind: 'passrole-star',
  run(ctx) {
    return allowStatements(ctx, ['identity']).flatMap((st) => {
      if (!coversAction(st, 'iam:PassRole')) return [];
      const everyRole = allowedResources(st, 'iam:PassRole', st.doc.statements).filter(matchesEveryRole);
      const first = everyRole[0];
      if (first === undefined) return [];
      const toService = limitsPassedToService(st.conditions);
      return [
        statementFinding('passrole-star', st, {
          severity: toService ? 'medium' : 'high',
          action: 'iam:PassRole',
          resourceArn: first,
          message: `iam:PassRole on "${first}" can hand any role${toService ? ' (to the services in iam:PassedToService)' : ''} to a service: list the role ARNs it must pass${toService ? '' : ' and add an iam:PassedToService condition'}`,
        }),
      ];
    });
  },
};
