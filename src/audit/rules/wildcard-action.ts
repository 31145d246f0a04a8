// wildcard-action: an Allow whose Action element is `*` or a whole service (`s3:*`); one finding per statement.
// AWS's default key policy statement (kms:* for the key's own account root) is not one: it delegates to IAM.
import { grantedResources, isDenied } from '../policy/grants';
import { delegatesKeyToIam } from '../policy/key-policy';
import { listActions } from './action-list';
import { allowStatements, statementFinding, type Rule } from './rule';

const WHOLE_SERVICE = /^[a-z0-9-]+:\*$/i;

export const wildcardAction: Rule = {
  kind: 'wildcard-action',
  run(ctx) {
    return allowStatements(ctx, ['identity', 'resource', 'trust']).flatMap((st) => {
      if (delegatesKeyToIam(st)) return [];
      const wildcards = (st.actions ?? [])
        .filter((a) => a === '*' || WHOLE_SERVICE.test(a))
        .filter((a) => !grantedResources(st).every((r) => isDenied(st.doc.statements, a, r)));
      if (wildcards.length === 0) return [];
      const all = wildcards.includes('*');
      const services = [...new Set(wildcards.filter((a) => a !== '*').map((a) => a.split(':')[0]!.toLowerCase()))];
      return [
        statementFinding('wildcard-action', st, {
          severity: all ? 'critical' : 'high',
          actions: listActions(wildcards),
          message: all
            ? 'Action "*" grants every action of every service: list the actions the workload calls'
            : `Action ${wildcards.map((a) => `"${a}"`).join(', ')} grants every ${services.join(', ')} action, including future ones: list the actions the workload calls`,
        }),
      ];
    });
  },
};
