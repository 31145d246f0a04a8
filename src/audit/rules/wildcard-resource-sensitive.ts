// wildcard-resource-sensitive: an identity policy allows data, write or permissions actions on Resource "*"
// although the actions support resource-level permissions (judged by the IAM catalogue).
import { expandAction, isSensitive } from '../iam-catalogue';
import { isDenied } from '../policy/grants';
import { isWildcardResource } from '../policy/matching';
import type { Finding } from '../types';
import { allowStatements, sample, statementFinding, type Rule } from './rule';

const WHOLE_SERVICE = /^[a-z0-9-]+:\*$/i;

export const wildcardResourceSensitive: Rule = {
  kind: 'wildcard-resource-sensitive',
  async run(ctx) {
    const findings: Finding[] = [];
    // Resource policies are exempt: there "*" means the resource the policy is attached to.
    for (const st of allowStatements(ctx, ['identity'])) {
      const star = st.resources?.find(isWildcardResource) ?? (st.notResources ? '*' : undefined);
      if (star === undefined) continue;
      for (const element of st.actions ?? []) {
        if (element === '*' || WHOLE_SERVICE.test(element)) continue; // reported as wildcard-action
        const expansion = await expandAction(element);
        if (expansion.status !== 'ok') continue;
        const hits = expansion.actions.filter(
          (a) => a.supportsResourceLevel && isSensitive(a) && !isDenied(st.doc.statements, a.name, star),
        );
        if (hits.length === 0) continue;
        const permissions = hits.some((a) => a.accessLevels.includes('Permissions management'));
        findings.push(
          statementFinding('wildcard-resource-sensitive', st, {
            severity: permissions ? 'high' : 'medium',
            action: element,
            resourceArn: star,
            message: `${element} on Resource "${star}" allows ${hits.length === 1 ? 'an action that supports' : `${hits.length} actions that support`} resource-level permissions (${sample(hits.map((a) => a.name))}): scope Resource to the ARNs the workload uses`,
          }),
        );
      }
    }
    return findings;
  },
};
