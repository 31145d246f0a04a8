// IAM wildcard matching: `*` and `?` in actions (case-insensitive) and resources (case-sensitive).

const cache = new Map<string, RegExp>();

function globToRegExp(pattern: string, ignoreCase: boolean): RegExp {
  const key = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let re = cache.get(key);
  if (re === undefined) {
    const body = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    re = new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
    cache.set(key, re);
  }
  return re;
}

export function hasWildcard(text: string): boolean {
  return text.includes('*') || text.includes('?');
}

/**
 * True when the action pattern matches `action`. `action` may itself hold wildcards: then the
 * pattern must match its text, so `s3:*` covers `s3:Get*` but `s3:Get*` does not cover `s3:*`.
 */
export function actionMatches(pattern: string, action: string): boolean {
  return globToRegExp(pattern, true).test(action);
}

/** Same as {@link actionMatches} for resource ARNs, which IAM compares case-sensitively. */
export function resourceMatches(pattern: string, resource: string): boolean {
  return globToRegExp(pattern, false).test(resource);
}

// Template placeholders such as `${AWS::Partition}` hold colons; flatten them before splitting an ARN.
function flattenPlaceholders(arn: string): string {
  return arn.replace(/\$\{[^}]*\}/g, (v) => (v === '${*}' ? '*' : 'var'));
}

const ALL = /^\*+$/;

/**
 * True when the pattern is as wide as `*`: `*` itself, an ARN whose resource part is only wildcards
 * (`arn:aws:s3:::*`, `arn:aws:s3:::*\/*`, `arn:aws:logs:*:*:*`), or one that wildcards the account and then names only a
 * resource type (`arn:*:cloudtrail:*:*:trail/*`, `arn:aws:iam::*:role/*`). `arn:aws:s3:::my-bucket/*` is not:
 * S3 ARNs have no account, so their first segment is a bucket name, not a type.
 *
 * @example
 * isWildcardResource('arn:*:cloudtrail:*:*:trail/*'); // true
 * isWildcardResource('arn:aws:s3:::my-bucket/*'); // false
 */
export function isWildcardResource(resource: string): boolean {
  if (ALL.test(resource)) return true;
  const parts = flattenPlaceholders(resource).split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return false;
  const segments = parts.slice(5).join(':').split(/[/:]/);
  if (segments.every((s) => ALL.test(s))) return true;
  return ALL.test(parts[4]!) && segments.length > 1 && segments.slice(1).every((s) => ALL.test(s));
}

/** The service of an ARN pattern (`s3` for `arn:aws:s3:::*`); undefined for `*`, a wildcard service or a non-ARN. */
export function arnService(resource: string): string | undefined {
  const parts = flattenPlaceholders(resource).split(':');
  return parts.length >= 6 && parts[0] === 'arn' && !hasWildcard(parts[2]!) ? parts[2]!.toLowerCase() : undefined;
}

/** `*`, or a role pattern that matches every role of an account: `arn:aws:iam::*:role/*`. */
export function matchesEveryRole(resource: string): boolean {
  if (isWildcardResource(resource)) return true;
  const arn = flattenPlaceholders(resource);
  return /^arn:[^:]*:iam::[^:]*:role\/\*$/.test(arn) || /^arn:[^:]*:iam::[^:]*:\*$/.test(arn);
}

/** A user ARN that names the caller through the `${aws:username}` policy variable. */
export function isSelfScopedUser(resource: string): boolean {
  return /^arn:[^:]*:iam::[^:]*:user\/(?:[^*?]*\/)?\$\{aws:username\}$/i.test(resource);
}
