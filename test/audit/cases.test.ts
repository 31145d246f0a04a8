// Audit cases as data: every entry of test/audit/cases/*.json is one test. An entry names its input (a policy read as
// a standalone file, a policy handed to the engine with its kind, a template or account authorization details), the
// findings it must produce, and optionally that nothing else is found, kinds that must be absent and summary fields.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runAudit } from '../../src/audit/engine';
import { readAccountDetails } from '../../src/audit/inputs/account-details';
import { readTemplateText } from '../../src/audit/inputs/cloudformation';
import { readPolicyText } from '../../src/audit/inputs/policy-files';
import { readServiceRoles } from '../../src/audit/inputs/route-config';
import { emptyInput, mergeInputs, type AuditInput, type Finding, type PolicyKind } from '../../src/audit/types';

interface Expected {
  readonly kind: string;
  readonly severity?: string;
  readonly statement?: string | number;
  readonly action?: string;
  readonly message?: string;
  /** How many findings match this entry. @default 1 */
  readonly count?: number;
}

interface Case {
  readonly name: string;
  readonly input: (
    | { readonly policy: unknown; readonly policyKind?: PolicyKind; readonly resourceType?: string }
    | { readonly template: unknown }
    | { readonly accountDetails: Record<string, unknown> }
  ) & {
    /** A route configuration read beside the input (its service roles). */
    readonly routes?: unknown;
  };
  readonly expect: readonly Expected[];
  readonly only?: boolean;
  readonly absent?: readonly string[];
  readonly summary?: Record<string, unknown>;
}

const DIR = 'test/audit/cases';

function inputOf(c: Case, file: string): AuditInput {
  const read = documentsOf(c, file);
  return c.input.routes === undefined ? read : mergeInputs(read, readServiceRoles(c.input.routes, 'routes.json'));
}

function documentsOf(c: Case, file: string): AuditInput {
  const input = c.input;
  if ('template' in input) return readTemplateText(file, JSON.stringify(input.template, null, 2));
  if ('accountDetails' in input) return readAccountDetails(input.accountDetails, { file });
  if (input.policyKind === undefined) return readPolicyText(file, JSON.stringify(input.policy, null, 2));
  const direct = emptyInput();
  direct.documents.push({
    id: file,
    resource: file,
    policyKind: input.policyKind,
    document: input.policy,
    ...(input.resourceType === undefined ? {} : { resourceType: input.resourceType }),
  });
  return direct;
}

function matches(finding: Finding, expected: Expected): boolean {
  return (
    finding.kind === expected.kind &&
    (expected.severity === undefined || finding.severity === expected.severity) &&
    (expected.statement === undefined || finding.statement === expected.statement) &&
    (expected.action === undefined || finding.action === expected.action) &&
    (expected.message === undefined || finding.message.includes(expected.message))
  );
}

function show(findings: readonly Finding[]): string {
  return JSON.stringify(
    findings.map((f) => ({ kind: f.kind, severity: f.severity, statement: f.statement, action: f.action, message: f.message })),
    null,
    1,
  );
}

function partialEqual(actual: unknown, expected: unknown, path: string): void {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    assert.ok(actual !== null && typeof actual === 'object', `${path}: expected an object, got ${JSON.stringify(actual)}`);
    for (const [key, value] of Object.entries(expected)) partialEqual((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
    return;
  }
  assert.deepEqual(actual, expected, path);
}

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

for (const file of files) {
  const cases = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Case[];
  describe(`audit cases: ${file}`, () => {
    const names = new Set<string>();
    for (const c of cases) {
      it(c.name, async () => {
        assert.ok(!names.has(c.name), `case name "${c.name}" is used twice in ${file}`);
        names.add(c.name);
        const { findings, summary } = await runAudit(inputOf(c, `${file.replace(/\.json$/, '')}-case.json`));
        for (const expected of c.expect) {
          const hits = findings.filter((f) => matches(f, expected));
          assert.equal(
            hits.length,
            expected.count ?? 1,
            `expected ${expected.count ?? 1} finding(s) like ${JSON.stringify(expected)}; got:\n${show(findings)}`,
          );
        }
        if (c.only === true) {
          const unmatched = findings.filter((f) => !c.expect.some((e) => matches(f, e)));
          assert.equal(unmatched.length, 0, `unexpected findings:\n${show(unmatched)}`);
        }
        for (const kind of c.absent ?? []) {
          const present = findings.filter((f) => f.kind === kind);
          assert.equal(present.length, 0, `expected no ${kind} finding; got:\n${show(present)}`);
        }
        if (c.summary !== undefined) partialEqual(summary, c.summary, 'summary');
      });
    }
  });
}
