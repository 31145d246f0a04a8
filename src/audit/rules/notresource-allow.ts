// notresource-allow: an Allow with NotResource applies to every resource except the listed ones.
import { allowStatements, sample, statementFinding, type Rule } from './rule';

export const notresourceAllow: Rule = {
  kind: 'notresource-allow',
  run(ctx) {
    return allowStatements(ctx, ['identity', 'resource', 'trust'])
      .filter((st) => st.notResources !== undefined)
      .filter((st) => !st.doc.statements.some((d) => d.effect === 'Deny' && d.conditions.length === 0 && d.actions?.includes('*') && d.resources?.includes('*')))
      .map((st) =>
        statementFinding('notresource-allow', st, {
          resourceArn: `NotResource: ${st.notResources!.join(', ')}`,
          message: `Allow with NotResource (${sample(st.notResources!)}) applies to every other resource, including new ones: use Resource with an explicit list`,
        }),
      );
  },
};
