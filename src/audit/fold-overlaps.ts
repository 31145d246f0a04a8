// One finding per risk: a grant that an escalation or passrole-star finding reports is not reported again as a wildcard
// resource on the same statement; the finding that stands for it says so in `covers`.
import type { RuleFinding } from './left-out';
import type { Statement } from './policy/normalise';
import type { Finding, FindingKind } from './types';

function claimedOn(statement: Statement, findings: readonly RuleFinding[]): Map<RuleFinding, Set<string>> {
  const claimers = new Map<RuleFinding, Set<string>>();
  for (const f of findings) {
    // A left-out finding (AWS-owned resources) is not reported, so it cannot stand for anything.
    if (f.leftOut) continue;
    for (const claim of f.claims ?? []) {
      if (claim.statement !== statement) continue;
      const names = claimers.get(f) ?? new Set<string>();
      for (const action of claim.actions) names.add(action.toLowerCase());
      claimers.set(f, names);
    }
  }
  return claimers;
}

/**
 * Takes out of each narrowable finding (wildcard-resource-sensitive) the actions another finding on the same
 * statement already reports, drops it when nothing is left, and adds its kind to the `covers` of each finding that
 * took actions from it. Returns findings without the rules' internal fields.
 *
 * @example
 * // given: declare const ruleFindings: RuleFinding[];
 * const findings = foldOverlaps(ruleFindings); // iam:PassRole on "*": passrole-star covering wildcard-resource-sensitive
 */
export function foldOverlaps(findings: readonly RuleFinding[]): RuleFinding[] {
  const covers = new Map<RuleFinding, Set<FindingKind>>();
  const narrowed = findings.flatMap((f): RuleFinding[] => {
    if (!f.narrowable || f.leftOut) return [f];
    const own = new Set(f.narrowable.actions.map((a) => a.toLowerCase()));
    const claimed = new Set<string>();
    for (const [claimer, names] of claimedOn(f.narrowable.statement, findings)) {
      const taken = [...names].filter((n) => own.has(n));
      if (taken.length === 0) continue;
      taken.forEach((n) => claimed.add(n));
      covers.set(claimer, (covers.get(claimer) ?? new Set<FindingKind>()).add(f.kind));
    }
    if (claimed.size === 0) return [f];
    const rest = f.narrowable.without(claimed);
    return rest ? [rest] : [];
  });
  return narrowed.map((f) => {
    const { claims: _claims, narrowable: _narrowable, ...finding } = f;
    const kinds = covers.get(f);
    return kinds ? { ...finding, covers: [...kinds], message: `${finding.message} ${coversText([...kinds])}` } : finding;
  });
}

/** `(also stands for wildcard-resource-sensitive: not reported again)` */
function coversText(kinds: readonly Finding['kind'][]): string {
  return `(also stands for ${kinds.join(', ')} on this statement: not reported again)`;
}
