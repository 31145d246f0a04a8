// Rules that depend on where a policy is used: IAM's own policies, trust policies, and each service's resource policies.
import type { PolicyDocumentInput } from '../../types';
import { actionMatches, hasWildcard } from '../matching';
import { parseArn, isOpenField } from './arn';

export interface PolicyTypeRules {
  /** Names the policy in messages: `S3 bucket policy`. */
  readonly label: string;
  readonly resourceRequired: boolean;
  readonly resourceForbidden: boolean;
  /** IAM's policies (identity and trust): Sids of A-Z, a-z, 0-9 only, unique within the document. */
  readonly iamSids: boolean;
  /** Actions must belong to this service (the service rejects others). */
  readonly actionService?: string;
  /** Resource ARNs must belong to this service. */
  readonly arnService?: string;
  /** API Gateway resource policies may write `execute-api:/stage/METHOD/path`. */
  readonly executeApiShorthand: boolean;
  /** Trust policies: only these actions (patterns must match one). */
  readonly onlyActions?: readonly string[];
}

const RESOURCE: PolicyTypeRules = {
  label: 'resource policy',
  resourceRequired: true,
  resourceForbidden: false,
  iamSids: false,
  executeApiShorthand: false,
};

// Only what the services document or enforce: S3 answers "Policy has invalid action/resource", SNS "action out of
// service scope", SQS accepts only SQS actions, ECR repository policies name no Resource (the repository is implied),
// and Lambda's AddPermission takes `lambda:` actions only. KMS key and Secrets Manager policies carry no extra rule
// here: their documented extras (Resource "*" means this key/secret, Sids with spaces) are what the generic rules allow.
const BY_RESOURCE_TYPE: Readonly<Record<string, PolicyTypeRules>> = {
  'AWS::S3::BucketPolicy': { ...RESOURCE, label: 'S3 bucket policy', actionService: 's3', arnService: 's3' },
  'AWS::SNS::TopicPolicy': { ...RESOURCE, label: 'SNS topic policy', actionService: 'sns' },
  'AWS::SNS::TopicInlinePolicy': { ...RESOURCE, label: 'SNS topic policy', actionService: 'sns' },
  'AWS::SQS::QueuePolicy': { ...RESOURCE, label: 'SQS queue policy', actionService: 'sqs' },
  'AWS::SQS::QueueInlinePolicy': { ...RESOURCE, label: 'SQS queue policy', actionService: 'sqs' },
  'AWS::ECR::Repository': { ...RESOURCE, label: 'ECR repository policy', resourceRequired: false, actionService: 'ecr' },
  'AWS::ECR::RegistryPolicy': { ...RESOURCE, label: 'ECR registry policy', actionService: 'ecr' },
  'AWS::KMS::Key': { ...RESOURCE, label: 'KMS key policy' },
  'AWS::KMS::ReplicaKey': { ...RESOURCE, label: 'KMS key policy' },
  'AWS::SecretsManager::ResourcePolicy': { ...RESOURCE, label: 'Secrets Manager secret policy' },
  'AWS::Lambda::Permission': { ...RESOURCE, label: 'Lambda permission', actionService: 'lambda' },
  'AWS::ApiGateway::RestApi': { ...RESOURCE, label: 'API Gateway resource policy', executeApiShorthand: true },
};

const TRUST_ACTIONS = [
  'sts:AssumeRole',
  'sts:AssumeRoleWithSAML',
  'sts:AssumeRoleWithWebIdentity',
  'sts:TagSession',
  'sts:SetSourceIdentity',
  'sts:SetContext',
];

/** The rules for one document, from its kind and (resource policies) the type of the resource it is attached to. */
export function rulesFor(input: PolicyDocumentInput): PolicyTypeRules {
  if (input.policyKind === 'identity') return { ...RESOURCE, label: 'identity policy', iamSids: true };
  if (input.policyKind === 'trust')
    return {
      ...RESOURCE,
      label: 'trust policy',
      resourceRequired: false,
      resourceForbidden: true,
      iamSids: true,
      onlyActions: TRUST_ACTIONS,
    };
  const known = input.resourceType === undefined ? undefined : BY_RESOURCE_TYPE[input.resourceType];
  // A resource policy of unknown type may be an API Gateway policy read from a file or the live account.
  return known ?? { ...RESOURCE, executeApiShorthand: true };
}

function serviceOf(action: string): string {
  return action.slice(0, Math.max(0, action.indexOf(':'))).toLowerCase();
}

/** Problems with the actions a statement names (Action or NotAction), judged by the document's rules. */
export function actionProblems(rules: PolicyTypeRules, element: string, actions: readonly string[]): string[] {
  const problems: string[] = [];
  for (const action of actions) {
    if (rules.onlyActions && !rules.onlyActions.some((allowed) => actionMatches(action, allowed)))
      problems.push(`${rules.label}: ${element} "${action}" is not allowed (only ${rules.onlyActions.join(', ')})`);
    const service = rules.actionService;
    if (service === undefined || action === '*') continue;
    const own = serviceOf(action);
    if (hasWildcard(own) ? !actionMatches(own, service) : own !== service)
      problems.push(`${rules.label}: ${element} "${action}" is not one of the ${service}:* actions it takes`);
  }
  return problems;
}

/** Problems with a Resource ARN that belongs to another service than the policy's resource. */
export function resourceServiceProblems(rules: PolicyTypeRules, element: string, resources: readonly string[]): string[] {
  const service = rules.arnService;
  if (service === undefined) return [];
  return resources.flatMap((value) => {
    const arn = parseArn(value);
    if ('fieldCount' in arn || isOpenField(arn.service) || arn.service === service) return [];
    return [`${rules.label}: ${element} "${value}" is a ${arn.service} ARN, not one of the ${service} ARNs it takes`];
  });
}

const IAM_SID = /^[A-Za-z0-9]*$/;

/**
 * Sid problems of every statement, by index: a Sid that is not a string; in IAM's own policies,
 * characters other than A-Z, a-z, 0-9 and a Sid used twice.
 */
export function sidProblems(rules: PolicyTypeRules, sids: readonly unknown[]): Map<number, string[]> {
  const problems = new Map<number, string[]>();
  const add = (index: number, message: string): void => {
    problems.set(index, [...(problems.get(index) ?? []), message]);
  };
  const firstUse = new Map<string, number>();
  sids.forEach((sid, index) => {
    if (sid === undefined) return;
    if (typeof sid !== 'string') {
      add(index, `Sid ${JSON.stringify(sid)} must be a string`);
      return;
    }
    if (!rules.iamSids || sid === '') return;
    if (!IAM_SID.test(sid))
      add(index, `Sid "${sid}" has characters IAM does not accept (in identity and trust policies): use only A-Z, a-z and 0-9`);
    const first = firstUse.get(sid);
    if (first === undefined) firstUse.set(sid, index);
    else add(index, `Sid "${sid}" is already used by statement ${first}: Sids must be unique within a policy`);
  });
  return problems;
}
