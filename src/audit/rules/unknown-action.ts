// unknown-action: an action element that matches nothing in the IAM catalogue (usually a typo).
import { expandAction } from '../iam-catalogue';
import type { Finding } from '../types';
import { statementFinding, type Rule } from './rule';

export const unknownAction: Rule = {
  kind: 'unknown-action',
  async run(ctx) {
    const findings: Finding[] = [];
    for (const st of ctx.documents.flatMap((d) => d.statements)) {
      for (const element of [...(st.actions ?? []), ...(st.notActions ?? [])]) {
        if (element === '*') continue;
        const expansion = await expandAction(element);
        if (expansion.status === 'ok') continue;
        const what = expansion.status === 'unknown-service' ? `service "${element.split(':')[0]}"` : 'action';
        findings.push(
          statementFinding('unknown-action', st, {
            action: element,
            message: `${element}: unknown ${what} in the IAM catalogue, so this grants nothing: check the spelling against the service authorization reference`,
          }),
        );
      }
    }
    return findings;
  },
};
