// Reads a CloudFormation template (JSON or YAML with short forms), such as the one `serverless package` writes.
import { MeshgateError } from '../../errors';
import { emptyInput, type AuditInput, type Locate, type PolicyDocumentInput, type PolicyKind } from '../types';
import { decodePolicyDocument } from './account-details';
import { readTemplateRoutes } from './cfn-routes';
import { readTemplateSecrets } from './cfn-secrets';
import { CFN_TAGS } from './cfn-yaml';
import { referencedId, resolveIntrinsics } from './intrinsics';
import { parseWithPositions } from './locator';
import { readInputText } from './read-text';
import { lambdaPermissionPolicy } from './lambda-permission';
import { isPlainObject as isObject } from '../../config/check';

export type TemplateResources = Record<string, { Type?: unknown; Properties?: Record<string, unknown> }>;

/** Resource types whose property holds a policy attached to that resource (or, for the *Policy types, to its target). */
const RESOURCE_POLICIES: Readonly<Record<string, string>> = {
  'AWS::S3::BucketPolicy': 'PolicyDocument',
  'AWS::SQS::QueuePolicy': 'PolicyDocument',
  'AWS::SQS::QueueInlinePolicy': 'PolicyDocument',
  'AWS::SNS::TopicPolicy': 'PolicyDocument',
  'AWS::SNS::TopicInlinePolicy': 'PolicyDocument',
  'AWS::KMS::Key': 'KeyPolicy',
  'AWS::KMS::ReplicaKey': 'KeyPolicy',
  'AWS::SecretsManager::ResourcePolicy': 'ResourcePolicy',
  'AWS::ApiGateway::RestApi': 'Policy',
  'AWS::ECR::Repository': 'RepositoryPolicyText',
  'AWS::ECR::RegistryPolicy': 'PolicyText',
  'AWS::EFS::FileSystem': 'FileSystemPolicy',
  'AWS::OpenSearchService::Domain': 'AccessPolicies',
};

/** Principal types that carry `Policies` (inline identity policies). */
const PRINCIPAL_TYPES = new Set(['AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group']);

function refs(value: unknown): string[] {
  return (Array.isArray(value) ? value : []).map(referencedId).filter((id): id is string => id !== undefined);
}

class TemplateReader {
  readonly docs: PolicyDocumentInput[] = [];
  /** Owner logical id (role, user, group) -> ids of identity documents attached to it. */
  readonly owned = new Map<string, string[]>();

  constructor(
    readonly file: string,
    readonly locate: Locate,
  ) {}

  add(
    id: string,
    resource: string,
    kind: PolicyKind,
    raw: unknown,
    path: (string | number)[],
    resourceType?: string,
    roleName?: string,
  ): void {
    this.docs.push({
      id,
      resource,
      policyKind: kind,
      document: decodePolicyDocument(resolveIntrinsics(raw)),
      source: { file: this.file, path, locate: this.locate },
      ...(resourceType === undefined ? {} : { resourceType }),
      ...(roleName === undefined ? {} : { roleName }),
    });
  }

  own(owner: string, docId: string): void {
    this.owned.set(owner, [...(this.owned.get(owner) ?? []), docId]);
  }
}

function resourceType(resources: TemplateResources, id: string): string {
  const type = resources[id]?.Type;
  return typeof type === 'string' ? type : '';
}

function readResource(reader: TemplateReader, resources: TemplateResources, id: string): void {
  const type = resourceType(resources, id);
  const props = resources[id]?.Properties ?? {};
  const base = ['Resources', id, 'Properties'];
  if (PRINCIPAL_TYPES.has(type)) {
    (Array.isArray(props.Policies) ? props.Policies : []).forEach((p: unknown, i) => {
      if (!isObject(p)) return;
      const docId = `${id}#${String(resolveIntrinsics(p.PolicyName))}`;
      reader.add(docId, docId, 'identity', p.PolicyDocument, [...base, 'Policies', i, 'PolicyDocument']);
      reader.own(id, docId);
    });
    for (const managed of refs(props.ManagedPolicyArns)) reader.own(id, managed);
    if (type === 'AWS::IAM::User') for (const group of refs(props.Groups)) reader.own(id, `group:${group}`);
    if (props.AssumeRolePolicyDocument !== undefined) {
      const name = resolveIntrinsics(props.RoleName);
      const roleName = typeof name === 'string' ? name : undefined;
      reader.add(`${id}#trust`, id, 'trust', props.AssumeRolePolicyDocument, [...base, 'AssumeRolePolicyDocument'], undefined, roleName);
    }
  } else if (type === 'AWS::IAM::Policy' || type === 'AWS::IAM::ManagedPolicy') {
    reader.add(id, id, 'identity', props.PolicyDocument, [...base, 'PolicyDocument']);
    for (const owner of [...refs(props.Roles), ...refs(props.Users), ...refs(props.Groups)]) reader.own(owner, id);
  } else if (type === 'AWS::Lambda::Permission') {
    const policy = lambdaPermissionPolicy(resolveIntrinsics(props));
    reader.docs.push({
      id,
      resource: id,
      policyKind: 'resource',
      document: policy,
      source: { file: reader.file, path: ['Resources', id], locate: reader.locate },
      resourceType: type,
    });
  }
  const property = RESOURCE_POLICIES[type];
  // Serverless Framework writes `Policy: ""` on a REST API without a resource policy: that is no policy, not a bad one.
  if (property !== undefined && props[property] !== undefined && props[property] !== '')
    reader.add(`${id}#${property}`, id, 'resource', props[property], [...base, property], type);
}

/** Each user's and role's documents: its own, its attached managed policies, and (users) its groups'. */
function principalsByDocument(reader: TemplateReader, resources: TemplateResources): Map<string, string[]> {
  const byDoc = new Map<string, string[]>();
  for (const [owner, docIds] of reader.owned) {
    const type = resourceType(resources, owner);
    if (type !== 'AWS::IAM::Role' && type !== 'AWS::IAM::User') continue;
    const all = docIds.flatMap((d) => (d.startsWith('group:') ? (reader.owned.get(d.slice('group:'.length)) ?? []) : [d]));
    for (const docId of all) byDoc.set(docId, [...new Set([...(byDoc.get(docId) ?? []), owner])]);
  }
  return byDoc;
}

/**
 * Parses template text and turns it into audit input: identity policies of roles, users, groups and
 * IAM policy resources (with which principal holds each), trust policies, resource policies, Lambda
 * permissions, API Gateway methods and HTTP API routes, and Secrets Manager secrets with their schedules.
 *
 * @throws MeshgateError `audit_input_invalid` when the text is not a template
 * @example
 * // given: declare const text: string;
 * const input = readTemplateText('.serverless/cloudformation-template-update-stack.json', text);
 */
export function readTemplateText(file: string, text: string): AuditInput {
  const parsed = parseWithPositions(text, { customTags: CFN_TAGS });
  if (parsed.errors.length > 0) throw new MeshgateError('audit_input_invalid', `${file} is not valid JSON or YAML: ${parsed.errors[0]}`);
  const template = parsed.value;
  if (!isObject(template) || !isObject(template.Resources))
    throw new MeshgateError('audit_input_invalid', `${file} is not a CloudFormation template (no Resources)`);
  const resources = template.Resources as TemplateResources;
  const reader = new TemplateReader(file, parsed.locate);
  for (const id of Object.keys(resources)) readResource(reader, resources, id);
  const holders = principalsByDocument(reader, resources);
  const input = emptyInput();
  input.sources.push(file);
  input.documents.push(...reader.docs.map((d) => (holders.has(d.id) ? { ...d, principals: holders.get(d.id)! } : d)));
  input.routes.push(...readTemplateRoutes(resources, file, parsed.locate));
  input.secrets.push(...readTemplateSecrets(resources, file, parsed.locate));
  return input;
}

/** Reads a template file. @throws MeshgateError `audit_input_invalid` when it cannot be read or parsed. */
export async function readTemplate(file: string): Promise<AuditInput> {
  return readTemplateText(file, await readInputText(file));
}
