// Reads policy files and folders: plain policy documents, AWS CLI outputs that wrap one, and account authorization details.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MeshgateError } from '../../errors';
import { emptyInput, mergeInputs, type AuditInput, type PolicyKind } from '../types';
import { isAccountDetails, readAccountDetails } from './account-details';
import { parseWithPositions } from './locator';
import { readInputText } from './read-text';
import { isPlainObject as isObject } from '../../config/check';

function statementsOf(document: unknown): unknown[] {
  if (!isObject(document)) return [];
  return Array.isArray(document.Statement) ? document.Statement : [document.Statement];
}

function hasPrincipal(document: unknown): boolean {
  return statementsOf(document).some((s) => isObject(s) && (s.Principal !== undefined || s.NotPrincipal !== undefined));
}

function hasResource(document: unknown): boolean {
  return statementsOf(document).some((s) => isObject(s) && (s.Resource !== undefined || s.NotResource !== undefined));
}

/** True when every action the document names is an ECR action: a repository policy, which names no Resource. */
function onlyEcrActions(document: unknown): boolean {
  const actions = statementsOf(document).flatMap((s): unknown[] => {
    if (!isObject(s)) return [];
    const value = s.Action ?? s.NotAction;
    return Array.isArray(value) ? (value as unknown[]) : [value];
  });
  return actions.length > 0 && actions.every((a) => typeof a === 'string' && a.toLowerCase().startsWith('ecr:'));
}

/**
 * How a standalone document is used. With Principal it is a resource policy; with Principal and no Resource, a
 * trust policy, unless it grants only ECR actions (an ECR repository policy, which never names a Resource).
 */
export function classify(document: unknown): { readonly policyKind: PolicyKind; readonly resourceType?: string } {
  if (!hasPrincipal(document)) return { policyKind: 'identity' };
  if (hasResource(document)) return { policyKind: 'resource' };
  return onlyEcrActions(document) ? { policyKind: 'resource', resourceType: 'AWS::ECR::Repository' } : { policyKind: 'trust' };
}

/**
 * Unwraps what AWS CLI commands print around a policy: `get-bucket-policy`/`lambda get-policy`
 * (`{"Policy": "<json>"}`), `get-policy-version` (`{"PolicyVersion": {"Document": ...}}`),
 * `get-role-policy`/`get-user-policy` (`{"PolicyDocument": ...}`).
 */
function unwrap(value: unknown): { document: unknown; path: (string | number)[] } {
  if (!isObject(value)) return { document: value, path: [] };
  if (typeof value.Policy === 'string') {
    try {
      return { document: JSON.parse(value.Policy) as unknown, path: ['Policy'] };
    } catch {
      return { document: value.Policy, path: ['Policy'] };
    }
  }
  if (isObject(value.PolicyVersion) && value.PolicyVersion.Document !== undefined) {
    const doc = value.PolicyVersion.Document;
    return { document: typeof doc === 'string' ? JSON.parse(decodeURIComponent(doc)) : doc, path: ['PolicyVersion', 'Document'] };
  }
  if (value.PolicyDocument !== undefined && value.Statement === undefined)
    return { document: value.PolicyDocument, path: ['PolicyDocument'] };
  return { document: value, path: [] };
}

async function listJsonFiles(path: string): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw new MeshgateError('audit_input_invalid', `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, {
      cause: err,
    });
  }
  if (!info.isDirectory()) return [path];
  let entries;
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch (err) {
    throw new MeshgateError('audit_input_invalid', `cannot list ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, {
      cause: err,
    });
  }
  const nested = await Promise.all(
    entries
      .filter((e) => !e.name.startsWith('.'))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((e) =>
        e.isDirectory() ? listJsonFiles(join(path, e.name)) : Promise.resolve(e.name.endsWith('.json') ? [join(path, e.name)] : []),
      ),
  );
  return nested.flat();
}

/** Reads one policy file's text (already loaded). A file that is not JSON becomes a `malformed` problem. */
export function readPolicyText(file: string, text: string): AuditInput {
  const input = emptyInput();
  input.sources.push(file);
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (err) {
    input.problems.push({ resource: file, message: `not JSON (${(err as Error).message}): fix the file`, location: { file, line: 1 } });
    return input;
  }
  const { locate } = parseWithPositions(text);
  if (isAccountDetails(value)) return mergeInputs(input, readAccountDetails(value, { file, locate }));
  let unwrapped: { document: unknown; path: (string | number)[] };
  try {
    unwrapped = unwrap(value);
  } catch (err) {
    input.problems.push({
      resource: file,
      message: `embedded policy is not JSON (${(err as Error).message})`,
      location: { file, line: 1 },
    });
    return input;
  }
  input.documents.push({
    id: file,
    resource: file,
    ...classify(unwrapped.document),
    document: unwrapped.document,
    source: { file, path: unwrapped.path, locate: locate },
  });
  return input;
}

/**
 * Reads policy files, or every `*.json` under folders, as audit input.
 *
 * @throws MeshgateError `audit_input_invalid` when a path cannot be read (the CLI exits 2)
 * @example
 * const input = await readPolicyFiles(['policies/', 'saved/account-details.json']);
 */
export async function readPolicyFiles(paths: readonly string[]): Promise<AuditInput> {
  const files = (await Promise.all(paths.map(listJsonFiles))).flat();
  const inputs = await Promise.all(files.map(async (file) => readPolicyText(file, await readInputText(file))));
  return mergeInputs(...inputs);
}
