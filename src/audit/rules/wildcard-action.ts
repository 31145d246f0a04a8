// wildcard-action: an Allow whose Action element is `*` or a whole service (`s3:*`).
import { grantedResources, isDenied } from '../policy/grants';
import { allowStatements, statementFinding, type Rule } from './rule';

const WHOLE_SERVICE = /^[a-z0-9-]+:\*$/i;

export const wildcardAction: Rule = {
  kind: 'wildcard-action',
  run(ctx) {
    return allowStatements(ctx, ['identity', 'resource', 'trust']).flatMap((st) =>
      (st.actions ?? [])
        .filter((a) => a === '*' || WHOLE_SERVICE.test(a))
        .filter((a) => !grantedResources(st).every((r) => isDenied(st.doc.statements, a, r)))
        .map((a) =>
          statementFinding('wildcard-action', st, {
            severity: a === '*' ? 'critical' : 'high',
            action: a,
            message:
              a === '*'
                ? 'Action "*" grants every action of every service: list the actions the workload calls'
                : `Action "${a}" grants every ${a.split(':')[0]} action, including future ones: list the actions the workload calls`,
          }),
        ),
    );
  },
};
