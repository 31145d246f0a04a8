// Reads policy files and folders: plain policy documents, AWS CLI outputs that wrap one, and account authorization details.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MeshgateError } from '../../errors';
import { emptyInput, mergeInputs, type AuditInput, type PolicyKind } from '../types';
import { isAccountDetails, readAccountDetails } from './account-details';
import { parseWithPositions } from './locator';
import { readInputText, readOrSkip } from './read-text';
import { isPlainObject as isObject } from '../../config/check';
import { sample } from '../rules/rule';

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
  if (typeof value.Policy === 'string') return { document: JSON.parse(value.Policy) as unknown, path: ['Policy'] };
  if (isObject(value.PolicyVersion) && value.PolicyVersion.Document !== undefined) {
    const doc = value.PolicyVersion.Document;
    return { document: typeof doc === 'string' ? JSON.parse(decodeURIComponent(doc)) : doc, path: ['PolicyVersion', 'Document'] };
  }
  if (value.PolicyDocument !== undefined && value.Statement === undefined)
    return { document: value.PolicyDocument, path: ['PolicyDocument'] };
  return { document: value, path: [] };
}

function unreadable(message: string, cause?: unknown): MeshgateError {
  return new MeshgateError('audit_input_invalid', message, cause === undefined ? undefined : { cause });
}

const errorCode = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? 'error';

/** The files a `--policies` path names: the file itself, or every `*.json` under a folder (and the other files it skipped). */
async function listPolicyFiles(path: string): Promise<{ files: string[]; otherFiles: string[] }> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw unreadable(`cannot read ${path}: ${errorCode(err)}`, err);
  }
  // A file named on the command line is read whatever its extension: the caller chose it.
  if (!info.isDirectory()) return { files: [path], otherFiles: [] };
  let entries;
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch (err) {
    throw unreadable(`cannot list ${path}: ${errorCode(err)}`, err);
  }
  const listed = await Promise.all(
    entries
      .filter((e) => !e.name.startsWith('.'))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(async (e) => {
        const child = join(path, e.name);
        if (e.isDirectory()) return listPolicyFiles(child);
        return e.name.endsWith('.json') ? { files: [child], otherFiles: [] } : { files: [], otherFiles: [child] };
      }),
  );
  return { files: listed.flatMap((l) => l.files), otherFiles: listed.flatMap((l) => l.otherFiles) };
}

/**
 * Reads one policy file's text (already loaded): a policy document, an AWS CLI output wrapping one, or account
 * authorization details.
 *
 * @throws MeshgateError `audit_input_invalid` when the text (or the policy it embeds) is not JSON: nothing in it was
 *   audited, so no finding could say how risky it is, and the run must not pass whatever `--fail-on` says
 */
export function readPolicyText(file: string, text: string): AuditInput {
  const input = emptyInput();
  input.sources.push(file);
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (err) {
    throw unreadable(`${file} is not JSON (${(err as Error).message})`, err);
  }
  const { locate } = parseWithPositions(text);
  if (isAccountDetails(value)) return mergeInputs(input, readAccountDetails(value, { file, locate }));
  let unwrapped: { document: unknown; path: (string | number)[] };
  try {
    unwrapped = unwrap(value);
  } catch (err) {
    throw unreadable(`${file}: the policy it wraps is not JSON (${(err as Error).message})`, err);
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

export interface ReadPolicyOptions {
  /** Skip (and count in `skipped`) files that cannot be read or are not JSON, instead of throwing. @default false */
  readonly allowUnreadable?: boolean;
}

/** Reads one `--policies` path; a path that yields no policy document is an input error naming it. */
async function readPolicyPath(path: string, options: ReadPolicyOptions): Promise<AuditInput> {
  const { files, otherFiles } = await listPolicyFiles(path);
  const input = mergeInputs(
    ...(await Promise.all(
      files.map((file) => readOrSkip(file, options.allowUnreadable, async () => readPolicyText(file, await readInputText(file)))),
    )),
  );
  if (input.documents.length > 0) return input;
  const why =
    files.length === 0
      ? `holds no .json file${otherFiles.length > 0 ? ` (not read: ${sample(otherFiles)})` : ''}`
      : input.skipped.length > 0
        ? `gave no policy document: every file was unreadable (${sample(input.skipped.map((s) => s.file))})`
        : 'holds no policy document';
  throw unreadable(`--policies ${path} ${why}: nothing was audited`);
}

/**
 * Reads policy files, or every `*.json` under folders, as audit input.
 *
 * @throws MeshgateError `audit_input_invalid` (the CLI exits 2) when a path does not exist, when a file cannot be
 *   read or is not JSON (unless `allowUnreadable`, which skips and counts it), and when a path gives no policy
 *   document at all (an empty folder, a folder without `*.json`, only unreadable files)
 * @example
 * const input = await readPolicyFiles(['policies/', 'saved/account-details.json']);
 */
export async function readPolicyFiles(paths: readonly string[], options: ReadPolicyOptions = {}): Promise<AuditInput> {
  return mergeInputs(...(await Promise.all(paths.map((path) => readPolicyPath(path, options)))));
}
