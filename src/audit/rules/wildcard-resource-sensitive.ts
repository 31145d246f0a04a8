// wildcard-resource-sensitive: an identity policy allows data, write or permissions actions on Resource "*" (or an ARN
// as wide) although the actions support resource-level permissions (judged by the IAM catalogue). One finding per
// statement, rated by its most powerful tier: permissions management high, write or a data read (secrets, objects,
// decryption: data-reads.ts) medium, metadata reads alone low.
import { expandAction, isSensitive, type ActionInfo } from '../iam-catalogue';
import { isDenied } from '../policy/grants';
import { actionMatches, arnService, isWildcardResource } from '../policy/matching';
import type { Statement } from '../policy/normalise';
import { isSelfServiceMfaDevice } from '../policy/self-service';
import { actionsText, describeActions, levelsText, severityOfLevels } from './action-list';
import { allowStatements, statementFinding, type Rule } from './rule';
import type { RuleFinding } from '../left-out';

/** The wildcard resource of `stars` that `action` can apply to: `*`, or an ARN of its own service. */
function starFor(action: ActionInfo, stars: readonly string[]): string | undefined {
  // An ARN names its service: s3 actions on arn:aws:s3:::* count, dynamodb actions on it grant nothing.
  return stars.find((star) => {
    const service = arnService(star);
    return service === undefined || action.name.toLowerCase().startsWith(`${service}:`);
  });
}

/**
 * The actions `st` grants on its wildcard resources that could have been scoped to resources, after Deny statements.
 * NotAction is judged by what it allows: every catalogue action it does not exclude, as `Action: "*"` minus those.
 */
async function scopableActions(st: Statement, stars: readonly string[]): Promise<Hit[]> {
  const hits: Hit[] = [];
  const excluded = st.notActions ?? [];
  for (const element of st.actions ?? ['*']) {
    const expansion = await expandAction(element);
    if (expansion.status !== 'ok') continue;
    for (const action of expansion.actions) {
      if (!action.supportsResourceLevel || !isSensitive(action)) continue;
      if (excluded.some((pattern) => actionMatches(pattern, action.name))) continue;
      const star = starFor(action, stars);
      if (star === undefined || isDenied(st.doc.statements, action.name, star) || isSelfServiceMfaDevice(st, action.name, star)) continue;
      hits.push({ action, star });
    }
  }
  return hits;
}

interface Hit {
  readonly action: ActionInfo;
  readonly star: string;
}

/** The finding for `hits` (none when empty); narrowable, so actions an escalation reports can be taken out. */
function finding(st: Statement, hits: readonly Hit[]): RuleFinding | undefined {
  const star = hits[0]?.star;
  if (star === undefined) return undefined;
  const actions = describeActions(hits.map((h) => h.action));
  return {
    ...statementFinding('wildcard-resource-sensitive', st, {
      severity: severityOfLevels(actions),
      actions,
      resourceArn: star,
      message: `${actionsText(actions)} on Resource "${star}" (${levelsText(actions)}) ${actions.count === 1 ? 'supports' : 'support'} resource-level permissions: scope Resource to the ARNs the workload uses`,
    }),
    narrowable: {
      statement: st,
      actions: hits.map((h) => h.action.name),
      without: (claimed) =>
        finding(
          st,
          hits.filter((h) => !claimed.has(h.action.name.toLowerCase())),
        ),
    },
  };
}

export const wildcardResourceSensitive: Rule = {
  kind: 'wildcard-resource-sensitive',
  async run(ctx) {
    const findings: RuleFinding[] = [];
    // Resource policies are exempt: there "*" means the resource the policy is attached to.
    for (const st of allowStatements(ctx, ['identity'])) {
      const stars = st.notResources ? ['*'] : (st.resources ?? []).filter(isWildcardResource);
      if (stars.length === 0) continue;
      const found = finding(st, await scopableActions(st, stars));
      if (found) findings.push(found);
    }
    return findings;
  },
};
