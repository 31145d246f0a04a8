// notresource-allow: an Allow with NotResource applies to every resource except the listed ones.
import { isDenied } from '../policy/grants';
import { allowStatements, sample, statementFinding, type Rule } from './rule';

export const notresourceAllow: Rule = {
  kind: 'notresource-allow',
  run(ctx) {
    return allowStatements(ctx, ['identity', 'resource', 'trust'])
      .filter((st) => st.notResources !== undefined)
      .filter((st) => !(st.actions ?? ['*']).every((a) => isDenied(st.doc.statements, a, '*')))
      .map((st) =>
        statementFinding('notresource-allow', st, {
          resourceArn: `NotResource: ${st.notResources!.join(', ')}`,
          message: `Allow with NotResource (${sample(st.notResources!)}) applies to every other resource, including new ones: use Resource with an explicit list`,
        }),
      );
  },
};
