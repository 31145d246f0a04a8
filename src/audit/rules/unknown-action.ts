// unknown-action: action elements that match nothing in the IAM catalogue (usually a typo); one finding per statement.
import { expandAction } from '../iam-catalogue';
import type { RuleFinding } from '../left-out';
import { actionsText, listActions } from './action-list';
import { statementFinding, type Rule } from './rule';

export const unknownAction: Rule = {
  kind: 'unknown-action',
  async run(ctx) {
    const findings: RuleFinding[] = [];
    for (const st of ctx.documents.flatMap((d) => d.statements)) {
      const unknown: string[] = [];
      const services = new Set<string>();
      for (const element of [...(st.actions ?? []), ...(st.notActions ?? [])]) {
        if (element === '*') continue;
        const expansion = await expandAction(element);
        if (expansion.status === 'ok') continue;
        unknown.push(element);
        if (expansion.status === 'unknown-service') services.add(element.split(':')[0]!);
      }
      if (unknown.length === 0) continue;
      const actions = listActions(unknown);
      const what = services.size > 0 ? ` (unknown service ${[...services].map((s) => `"${s}"`).join(', ')})` : '';
      findings.push(
        statementFinding('unknown-action', st, {
          actions,
          message: `${actionsText(actions)}: not in the IAM catalogue${what}, so ${unknown.length === 1 ? 'it grants' : 'they grant'} nothing: check the spelling against the service authorization reference`,
        }),
      );
    }
    return findings;
  },
};
