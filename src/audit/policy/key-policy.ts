// The AWS default key policy statement: `kms:*` on "*" for the key's own account root. AWS documents it as what lets
// IAM policies of that account grant access to the key (without it only the key policy could); it gives no one access
// by itself. A kms:* grant to a role, a user or another account's root is full control of the key and stays reported.
import type { Statement } from './normalise';

const KEY_TYPES = new Set(['AWS::KMS::Key', 'AWS::KMS::ReplicaKey']);
/** A CloudFormation template's own account, however the template wrote it (`!Ref`, `!Sub`). */
const OWN_ACCOUNT = '${AWS::AccountId}';
const ACCOUNT = String.raw`(\d{12}|\$\{AWS::AccountId\})`;
const ROOT = new RegExp(String.raw`^(?:${ACCOUNT}|arn:(?:[a-z-]+|\$\{AWS::Partition\}):iam::${ACCOUNT}:root)$`);
const KEY_ARN_ACCOUNT = /^arn:[^:]+:kms:[^:]*:(\d{12}):/;

/** The account whose root `principal` names (`arn:aws:iam::111122223333:root` or the bare account id), if any. */
function rootAccount(principal: string): string | undefined {
  const match = ROOT.exec(principal);
  return match ? (match[1] ?? match[2]) : undefined;
}

/** The accounts `st` grants to as roots, when every principal it names is an account root (else undefined). */
function rootsOnly(st: Statement): readonly string[] | undefined {
  const principal = st.principal;
  if (!principal || principal.everyone || st.notPrincipal) return undefined;
  const [only, ...others] = Object.entries(principal.byType);
  if (only?.[0] !== 'AWS' || others.length > 0) return undefined;
  const accounts = only[1].map(rootAccount);
  return accounts.every((a) => a !== undefined) ? accounts : undefined;
}

const grantsOnlyKms = (st: Statement): boolean => (st.actions ?? []).every((a) => /^kms:/i.test(a));
const grantsAllKms = (st: Statement): boolean => (st.actions ?? []).some((a) => a.toLowerCase() === 'kms:*');

/**
 * The account that owns the key: a template's `${AWS::AccountId}`, the account of the key ARN the input names, or,
 * in a saved key policy, the one account whose root the document gives kms:* (two such accounts: unknown). A root
 * given some kms actions (`kms:Decrypt` for another account's use of the key) does not count.
 */
function owner(st: Statement): string | undefined {
  const input = st.doc.input;
  const fromArn = KEY_ARN_ACCOUNT.exec(input.resource)?.[1];
  if (fromArn !== undefined) return fromArn;
  const roots = new Set(st.doc.statements.filter((s) => s.effect === 'Allow' && grantsAllKms(s)).flatMap((s) => rootsOnly(s) ?? []));
  if (roots.has(OWN_ACCOUNT)) return OWN_ACCOUNT;
  return roots.size === 1 ? [...roots][0] : undefined;
}

/**
 * True for the default key policy statement: an Allow of kms actions only, in a KMS key policy (or a saved resource
 * policy), to the key's own account root and no one else.
 *
 * @example
 * // {"Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"} in a key policy: true
 * // the same with {"AWS": "arn:aws:iam::111122223333:role/admin"}: false (that role gets full control of the key)
 */
export function delegatesKeyToIam(st: Statement): boolean {
  const input = st.doc.input;
  if (input.policyKind !== 'resource' || (input.resourceType !== undefined && !KEY_TYPES.has(input.resourceType))) return false;
  if (st.effect !== 'Allow' || !st.actions || !grantsOnlyKms(st)) return false;
  const accounts = rootsOnly(st);
  if (accounts === undefined) return false;
  const own = owner(st);
  return own !== undefined && accounts.every((a) => a === own);
}
