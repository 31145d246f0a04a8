// notaction-allow: an Allow with NotAction grants everything except the listed actions.
import { grantedResources, isDenied } from '../policy/grants';
import { allowStatements, sample, statementFinding, type Rule } from './rule';

export const notactionAllow: Rule = {
  kind: 'notaction-allow',
  run(ctx) {
    return allowStatements(ctx, ['identity', 'resource', 'trust'])
      .filter((st) => st.notActions !== undefined)
      .filter((st) => !grantedResources(st).every((r) => isDenied(st.doc.statements, '*', r)))
      .map((st) =>
        statementFinding('notaction-allow', st, {
          action: `NotAction: ${st.notActions!.join(', ')}`,
          message: `Allow with NotAction (${sample(st.notActions!)}) grants every other action, including future ones: use Action with an explicit list`,
        }),
      );
  },
};
