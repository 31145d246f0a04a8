// Policy variable syntax (`${aws:username}`, `${aws:PrincipalTag/team, 'none'}`), as IAM Access Analyzer's ERROR
// checks judge it. CloudFormation placeholders (`${AWS::AccountId}`, `${Bucket.Arn}`) share the `${...}` form and are
// left alone: they are replaced before IAM ever sees the policy.

/** `prefix:key` with one colon: an IAM variable; a placeholder has `::`, a dot, or no colon at all. */
const IAM_VARIABLE_NAME = /^[a-z0-9-]+:[^:]/i;
/** IAM's escapes for literal characters. */
const ESCAPES: ReadonlySet<string> = new Set(['*', '?', '$']);

/** The IAM policy variables written in `value` (inner text of each `${...}`), placeholders and escapes left out. */
export function iamVariables(value: string): string[] {
  return [...value.matchAll(/\$\{([^}]*)\}/g)]
    .map((m) => m[1]!)
    .filter((inner) => inner.trim() === '' || (!ESCAPES.has(inner) && IAM_VARIABLE_NAME.test(inner.trim()) && !inner.includes('::')));
}

/**
 * Problems of one `${...}` body: empty (`${}`), a space inside the name (`${aws:user name}`), or a default value not in
 * single quotes (`${aws:username, anonymous}`; write `${aws:username, 'anonymous'}`).
 */
export function variableProblem(inner: string): string | undefined {
  if (inner.trim() === '') return 'is empty: name a variable (${aws:username}) or remove the ${}';
  const comma = inner.indexOf(',');
  const name = comma === -1 ? inner : inner.slice(0, comma);
  if (/\s/.test(name.trim())) return 'has a space in its name: IAM variable names hold no spaces';
  if (comma === -1) return undefined;
  const fallback = inner.slice(comma + 1).trim();
  return /^'[^']*'$/.test(fallback)
    ? undefined
    : `has a default value not in single quotes: write \${${name}, '${fallback.replace(/'/g, '')}'}`;
}
