// What each finding kind means and how to fix it: one table shared by the table, SARIF and the docs.
import type { FindingKind, Severity } from './types';

export interface KindInfo {
  /** The severity a finding of this kind has unless its rule says otherwise. */
  readonly severity: Severity;
  readonly title: string;
  /** Why it matters and what to do, in a few sentences (SARIF `help.text`). */
  readonly help: string;
}

export const KIND_INFO: Readonly<Record<FindingKind, KindInfo>> = {
  'wildcard-action': {
    severity: 'high',
    title: 'Allow with a wildcard action',
    help: 'An Allow whose Action is "*" or a whole service ("s3:*") grants every current and future action of that service (one finding per statement). List the actions the workload calls instead.',
  },
  'wildcard-resource-sensitive': {
    severity: 'medium',
    title: 'Sensitive action on Resource "*"',
    help: 'An identity policy allows actions that read data, write or manage permissions on every resource ("*", or an ARN as wide: arn:aws:s3:::*, arn:*:cloudtrail:*:*:trail/*), although those actions support resource-level permissions. One finding per statement lists the actions; it is high with permissions management, medium with write, low for read-only data access. Scope Resource to the ARNs the workload uses. Actions that only work on "*" (xray:PutTraceSegments, ec2:Describe*) are not reported.',
  },
  'privilege-escalation': {
    severity: 'high',
    title: 'Known privilege-escalation path',
    help: "The permissions allow a published IAM privilege-escalation method (ids from pathfinding.cloud, which extends Rhino Security Labs' list). Remove the action, restrict its Resource to what the principal must manage, or add a Deny. Credential actions scoped to ${aws:username} are not reported.",
  },
  'passrole-star': {
    severity: 'high',
    title: 'iam:PassRole on every role',
    help: 'iam:PassRole on "*" (or arn:aws:iam::*:role/*) lets the principal hand any role, including admin roles, to a service it controls. List the role ARNs it must pass and add an iam:PassedToService condition.',
  },
  'notaction-allow': {
    severity: 'high',
    title: 'Allow with NotAction',
    help: 'Allow with NotAction grants every action except the listed ones, including actions AWS adds later. Use Action with an explicit list.',
  },
  'notresource-allow': {
    severity: 'medium',
    title: 'Allow with NotResource',
    help: 'Allow with NotResource grants the actions on every resource except the listed ones, including resources created later. Use Resource with an explicit list.',
  },
  'public-principal': {
    severity: 'critical',
    title: 'Resource policy open to everyone',
    help: 'A resource or trust policy allows Principal "*" without a condition that pins the caller or source (aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID, aws:PrincipalArn, aws:userid, aws:SourceVpce, ...) to fixed values. Negated and ...IfExists conditions do not narrow, nor do values that wildcard the account (arn:aws:iam::*:role/x, AROA*:*). A trust of the GitHub Actions OIDC provider (token.actions.githubusercontent.com) is open to every repository on GitHub unless a token.actions.githubusercontent.com:sub condition names an owner (repo:my-org/*). Name the principals or add such a condition.',
  },
  'workload-trust-unpinned': {
    severity: 'high',
    title: 'Workload role trust not pinned to one workload',
    help: 'A role trust lets a workload identity provider in without pinning the workload: EKS IRSA (sts:AssumeRoleWithWebIdentity from oidc.eks.<region>.amazonaws.com/id/<id>) without a StringEquals <issuer>:sub naming one system:serviceaccount:<namespace>:<name> (high when any namespace matches, medium for a whole namespace, low when only <issuer>:aud = sts.amazonaws.com is missing); EKS Pod Identity (pods.eks.amazonaws.com) without the cluster (aws:SourceArn) or the kubernetes-namespace and kubernetes-service-account session tags (high, medium with aws:SourceAccount only); ECS tasks (ecs-tasks.amazonaws.com) without aws:SourceAccount or aws:SourceArn (medium, confused deputy); Cognito identity pools (cognito-identity.amazonaws.com) without cognito-identity.amazonaws.com:aud naming the pool (high) or without an amr condition (medium). IfExists, ForAllValues and negated operators do not pin. Any workload that matches becomes the service, and signs its calls as it. Add the conditions the message names.',
  },
  'workload-role-shared': {
    severity: 'medium',
    title: 'One role for several workloads',
    help: 'Several workloads (service accounts, identity pools, or services that the route configuration names) assume the same role, so no policy, log line or delegation edge can tell them apart: a compromise of one is a compromise of all. Give each workload its own role (high when two meshgate services share one).',
  },
  'service-role-missing': {
    severity: 'high',
    title: 'Service principal role not found',
    help: "The route configuration names an IAM role as a service's identity (upstreams.<name>.principals.iam), but the audited account or template has no such role: the service cannot authenticate as itself, or a role created later under that name becomes it. Create the role with a trust pinned to the service's workload, or correct the ARN.",
  },
  malformed: {
    severity: 'medium',
    title: 'Malformed policy',
    help: 'The document or statement is not a valid IAM policy: not JSON, wrong Version, missing Effect/Action/Resource, Principal in an identity policy, a Sid IAM rejects or repeats, a Resource that is not an ARN (or has a Region or account its service does not take, or lacks the Region it needs), an unknown condition operator or a value of the wrong type, a malformed policy variable, a principal IAM rejects (arn:aws:iam::*:root), or an action or Resource the policy type does not take. AWS rejects it or it does not mean what it says. Fix the document; the rest of it was still audited.',
  },
  'unknown-action': {
    severity: 'low',
    title: 'Action not in the IAM catalogue',
    help: 'The action (or wildcard) matches no action of the service in the IAM catalogue: usually a typo, so the statement grants less than intended. Check the name against the AWS service authorization reference.',
  },
  'route-without-authorizer': {
    severity: 'high',
    title: 'API route without an authorizer',
    help: 'An API Gateway method or HTTP API route has no authorization and is not on the public allow-list (--public-route). An API key is not an authorizer. Attach the meshgate authorizer (CUSTOM/JWT) or AWS_IAM, or add the route to the allow-list if it is public by design. CORS preflight OPTIONS methods are exempt.',
  },
  'secret-rotation-disabled': {
    severity: 'medium',
    title: 'Secret without rotation',
    help: 'The Secrets Manager secret has no rotation schedule. Add a RotationSchedule (or enable rotation) so a leaked value stops working.',
  },
  'secret-rotation-overdue': {
    severity: 'high',
    title: 'Secret rotation overdue',
    help: "The last rotation is older than the schedule plus the grace period: rotation is failing. Check the rotation Lambda's logs and run the rotation again.",
  },
  'secret-rotation-stuck': {
    severity: 'high',
    title: 'Secret rotation stuck',
    help: 'A stale AWSPENDING version remains, so every new rotation fails with "A previous rotation isn\'t complete". Finish or cancel the pending rotation (remove the AWSPENDING label) and rotate again.',
  },
  'baseline-drift': {
    severity: 'medium',
    title: 'Changed since the baseline',
    help: 'A policy document changed or appeared since the saved baseline. Review the change; when it is intended, write a new baseline with --write-baseline.',
  },
  'suppression-expired': {
    severity: 'low',
    title: 'Suppression expired',
    help: 'A suppression in the suppressions file passed its expires date: it no longer hides anything, and the findings it covered are reported again. Fix those findings and delete the entry, or, if the reason still holds, set a new expires date after review. This finding cannot be suppressed or baselined.',
  },
};
