// Reads `aws iam get-account-authorization-details` output (CLI JSON or the API's URL-encoded documents).
// No import of the YAML locator here: the live audit (audit Lambda) reads account details without any file text.
import { emptyInput, noLocation, type AuditInput, type Locate, type PolicyDocumentInput, type PolicyKind } from '../types';
import { isPlainObject as isObject } from '../../config/check';

type Json = Record<string, unknown>;
type Path = (string | number)[];

export interface DetailsSource {
  readonly file?: string;
  readonly locate?: Locate;
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** True for the shape of GetAccountAuthorizationDetails output. */
export function isAccountDetails(value: unknown): value is Json {
  return isObject(value) && ['UserDetailList', 'GroupDetailList', 'RoleDetailList'].some((k) => Array.isArray(value[k]));
}

/** The API returns documents URL-encoded; the CLI decodes them into objects. */
export function decodePolicyDocument(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    try {
      return JSON.parse(decodeURIComponent(value)) as unknown;
    } catch {
      return value; // left as a string: the normaliser reports it as malformed
    }
  }
}

export function isAwsManagedPolicyArn(arn: string): boolean {
  return /^arn:[^:]+:iam::aws:policy\//.test(arn);
}

/**
 * Turns account authorization details into audit input: every inline policy, each managed policy's
 * default version only (older versions are not in force), role trust policies, and for each user and
 * role the list of documents that make up its permissions (its own, its groups', its attached ones).
 *
 * @example
 * // given: import { readFile } from 'node:fs/promises';
 * const input = readAccountDetails(JSON.parse(await readFile('details.json', 'utf8')), { file: 'details.json' });
 */
export function readAccountDetails(details: Json, source: DetailsSource = {}): AuditInput {
  const input = emptyInput();
  const locate = source.locate ?? noLocation;
  const file = source.file;
  const principals = new Map<string, string[]>(); // document id -> principal ARNs
  const addPrincipal = (docId: string, principal: string): void => {
    principals.set(docId, [...(principals.get(docId) ?? []), principal]);
  };
  const docs: PolicyDocumentInput[] = [];
  const push = (id: string, resource: string, kind: PolicyKind, document: unknown, path: Path, awsManaged = false): void => {
    docs.push({
      id,
      resource,
      policyKind: kind,
      document: decodePolicyDocument(document),
      ...(file ? { source: { file, path, locate } } : {}),
      ...(awsManaged ? { awsManaged } : {}),
    });
  };

  list(details.Policies).forEach((policy, i) => {
    const arn = text(policy.Arn);
    const versions = list(policy.PolicyVersionList);
    const index = versions.findIndex(
      (v) => v.IsDefaultVersion === true || (policy.DefaultVersionId !== undefined && v.VersionId === policy.DefaultVersionId),
    );
    if (index === -1) return;
    push(
      arn,
      arn,
      'identity',
      versions[index]!.Document,
      ['Policies', i, 'PolicyVersionList', index, 'Document'],
      isAwsManagedPolicyArn(arn),
    );
  });

  const inline = (owner: Json, listKey: string, section: string, i: number): string[] =>
    list(owner[listKey]).map((p, j) => {
      const id = `${text(owner.Arn)}#${text(p.PolicyName)}`;
      push(id, id, 'identity', p.PolicyDocument, [section, i, listKey, j, 'PolicyDocument']);
      return id;
    });
  const attached = (owner: Json): string[] => list(owner.AttachedManagedPolicies).map((p) => text(p.PolicyArn));

  const groupDocs = new Map<string, string[]>();
  list(details.GroupDetailList).forEach((group, i) => {
    groupDocs.set(text(group.GroupName), [...inline(group, 'GroupPolicyList', 'GroupDetailList', i), ...attached(group)]);
  });
  list(details.UserDetailList).forEach((user, i) => {
    const own = [...inline(user, 'UserPolicyList', 'UserDetailList', i), ...attached(user)];
    const fromGroups = (Array.isArray(user.GroupList) ? user.GroupList : []).flatMap((g) => groupDocs.get(text(g)) ?? []);
    for (const id of [...own, ...fromGroups]) addPrincipal(id, text(user.Arn));
  });
  list(details.RoleDetailList).forEach((role, i) => {
    const arn = text(role.Arn);
    if (role.AssumeRolePolicyDocument !== undefined)
      push(`${arn}#trust`, arn, 'trust', role.AssumeRolePolicyDocument, ['RoleDetailList', i, 'AssumeRolePolicyDocument']);
    for (const id of [...inline(role, 'RolePolicyList', 'RoleDetailList', i), ...attached(role)]) addPrincipal(id, arn);
  });

  input.documents.push(...docs.map((d) => (principals.has(d.id) ? { ...d, principals: [...new Set(principals.get(d.id))] } : d)));
  return input;
}
