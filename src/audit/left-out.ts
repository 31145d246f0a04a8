// What the customer cannot act on: resources AWS owns and service-linked roles. The engine leaves such findings out
// of the report and counts them in the summary.
import type { Statement } from './policy/normalise';
import type { Finding } from './types';

export const LEFT_OUT_REASONS = ['awsOwnedResources', 'serviceLinkedRoles'] as const;
export type LeftOutReason = (typeof LEFT_OUT_REASONS)[number];
export type LeftOutCounts = Record<LeftOutReason, number>;

/** Actions a finding reports as granted by one statement (see `foldOverlaps`). */
export interface Claim {
  readonly statement: Statement;
  /** Catalogue action names, e.g. `iam:PassRole`. */
  readonly actions: readonly string[];
}

/** A rule's finding, possibly marked as one the customer cannot act on; the engine strips the other fields. */
export interface RuleFinding extends Finding {
  readonly leftOut?: LeftOutReason;
  /** Actions this finding already stands for: a broader finding on the same statement leaves them out. */
  readonly claims?: readonly Claim[];
  /** A broader finding that can be narrowed: its statement, its actions, and itself rebuilt without some of them. */
  readonly narrowable?: {
    readonly statement: Statement;
    readonly actions: readonly string[];
    /** The finding without `claimed` (lower-case names); undefined when nothing is left. */
    without(claimed: ReadonlySet<string>): RuleFinding | undefined;
  };
}

/**
 * An ARN in the account `aws`: AWS owns it, no customer can change it.
 *
 * @example
 * isAwsOwnedArn('arn:aws:iam::aws:policy/AdministratorAccess'); // true
 */
export function isAwsOwnedArn(arn: string): boolean {
  return /^arn:[^:]*:[^:]*:[^:]*:aws:/.test(arn);
}

/**
 * True when `resource` (an ARN, or a document id `ARN#policy`) is a service-linked role or one of its policies:
 * path `/aws-service-role/` or a name starting `AWSServiceRoleFor`. AWS defines their permissions.
 *
 * @example
 * isServiceLinkedRole('arn:aws:iam::123456789012:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS#p'); // true
 */
export function isServiceLinkedRole(resource: string): boolean {
  return /^arn:[^:]*:iam::[^:]*:role\/(?:aws-service-role\/|(?:[^#]*\/)?AWSServiceRoleFor)/.test(resource);
}

function reasonOf(finding: RuleFinding): LeftOutReason | undefined {
  if (finding.leftOut) return finding.leftOut;
  if (isServiceLinkedRole(finding.resource) || isServiceLinkedRole(finding.principal ?? '')) return 'serviceLinkedRoles';
  return undefined;
}

/** Splits the rules' findings into those to report and counts of those left out. */
export function leaveOut(findings: readonly RuleFinding[]): { findings: Finding[]; leftOut: LeftOutCounts } {
  const leftOut: LeftOutCounts = { awsOwnedResources: 0, serviceLinkedRoles: 0 };
  const kept: Finding[] = [];
  for (const finding of findings) {
    const reason = reasonOf(finding);
    if (reason) leftOut[reason] += 1;
    else kept.push(finding);
  }
  return { findings: kept, leftOut };
}
