// Suppressions: validation, matching by kind/resource glob/statement, expiry, stale entries, baselines, reports, CLI exit codes.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { applyBaseline, createBaseline } from '../../src/audit/baseline';
import { runAudit } from '../../src/audit/engine';
import { renderJson } from '../../src/audit/report/json';
import { renderSarif } from '../../src/audit/report/sarif';
import { renderTable } from '../../src/audit/report/table';
import { parseSuppressions, type Suppression } from '../../src/audit/suppressions';
import { readSuppressions } from '../../src/audit/suppressions-file';
import { emptyInput, type AuditInput } from '../../src/audit/types';
import { allow, FIXTURES, policy, runCli, sarifValidator } from './support';

const KMS = `${FIXTURES}/policies/kms-key-policy.json`;
const ROOT_REASON = 'break-glass key administrator: the key-admin role keeps kms:* for recovery';

/** Two resource policies with `kms:*` (Sid AccountAdmin) and one identity policy with `s3:*` at index 1. */
function input(): AuditInput {
  const keyPolicy = policy(allow('kms:*', '*', { Sid: 'AccountAdmin', Principal: { AWS: 'arn:aws:iam::123456789012:role/key-admin' } }));
  const out = emptyInput();
  out.documents.push(
    { id: 'AppKey', resource: 'arn:aws:kms:eu-west-1:123456789012:key/app', policyKind: 'resource', document: keyPolicy },
    { id: 'LogKey', resource: 'arn:aws:kms:eu-west-1:123456789012:key/log', policyKind: 'resource', document: keyPolicy },
    {
      id: 'role.json',
      resource: 'role.json',
      policyKind: 'identity',
      document: policy(allow('s3:GetObject', 'arn:aws:s3:::b/*'), allow('s3:*', 'arn:aws:s3:::b')),
    },
  );
  return out;
}

function suppressions(...entries: Record<string, unknown>[]): Suppression[] {
  return parseSuppressions({ suppressions: entries }, 'suppressions.json');
}

const ids = (findings: readonly { kind: string; resource: string; statement?: string | number }[]): string[] =>
  findings.map((f) => `${f.kind} ${f.resource} ${String(f.statement ?? '-')}`);

async function tempFile(name: string, value: unknown): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'meshgate-suppress-')), name);
  await writeFile(file, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return file;
}

describe('Suppressions: file validation', () => {
  it('accepts a full entry and an entry without statement or expiry', () => {
    const parsed = suppressions(
      { kind: 'wildcard-action', resource: 'AppKey', statement: 'AccountAdmin', reason: ' root admin ', expires: '2030-01-31' },
      { kind: 'passrole-star', resource: 'arn:aws:iam::*:role/deployer', reason: 'deployer passes any role by design' },
    );
    assert.deepEqual(parsed[0], {
      kind: 'wildcard-action',
      resource: 'AppKey',
      statement: 'AccountAdmin',
      reason: 'root admin',
      expires: '2030-01-31',
      location: { file: 'suppressions.json' },
    });
    assert.equal(parsed[1]!.statement, undefined);
  });

  it('rejects entries naming the entry and the field: no reason, blank reason, bad kind, bad date, unknown field, bad statement', () => {
    const ok = { kind: 'wildcard-action', resource: 'AppKey', reason: 'why' };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ kind: 'wildcard-action', resource: 'AppKey' }, /suppressions\.json: suppressions\[1\]\.reason is required/],
      [{ ...ok, reason: '   ' }, /suppressions\[1\]\.reason is required/],
      [{ ...ok, kind: 'wildcard' }, /suppressions\[1\]\.kind must be a finding kind/],
      [{ ...ok, kind: 'suppression-expired' }, /suppressions\[1\]\.kind suppression-expired cannot be suppressed/],
      [{ ...ok, kind: 'baseline-drift' }, /suppressions\[1\]\.kind baseline-drift cannot be suppressed/],
      [{ ...ok, expires: '2030-02-30' }, /suppressions\[1\]\.expires must be a date as YYYY-MM-DD/],
      [{ ...ok, expires: '31/01/2030' }, /suppressions\[1\]\.expires/],
      [{ ...ok, reson: 'typo' }, /suppressions\[1\]\.reson is not a suppression field/],
      [{ ...ok, statement: -1 }, /suppressions\[1\]\.statement must be a Sid or a 0-based statement index/],
      [{ ...ok, resource: '' }, /suppressions\[1\]\.resource/],
    ];
    for (const [entry, message] of cases) {
      assert.throws(
        () => suppressions(ok, entry),
        (err: Error & { code?: string }) => err.code === 'audit_input_invalid' && message.test(err.message),
        JSON.stringify(entry),
      );
    }
    assert.throws(() => parseSuppressions([ok], 'list.json'), /list\.json: must be an object with a "suppressions" array/);
    assert.throws(() => parseSuppressions({ suppressions: [], extra: 1 }, 'x.json'), /extra is not a known field/);
  });

  it('reads a file with the line of each entry, and refuses a file that is not JSON', async () => {
    const file = await tempFile('s.json', {
      suppressions: [
        { kind: 'wildcard-action', resource: 'AppKey', reason: 'a' },
        { kind: 'wildcard-action', resource: 'LogKey', reason: 'b' },
      ],
    });
    const [first, second] = await readSuppressions(file);
    assert.deepEqual(
      [first!.location, second!.location],
      [
        { file, line: 3 },
        { file, line: 8 },
      ],
    );
    await assert.rejects(readSuppressions(await tempFile('bad.json', 'suppressions: []')), /cannot read suppressions .*bad\.json/);
  });

  it('the committed config/audit-suppressions.json is valid', async () => {
    assert.ok(Array.isArray(await readSuppressions('config/audit-suppressions.json')));
  });
});

describe('Suppressions: matching', () => {
  it('matches by kind and exact resource, and by resource glob', async () => {
    const exact = await runAudit(input(), {
      suppressions: suppressions({ kind: 'wildcard-action', resource: 'arn:aws:kms:eu-west-1:123456789012:key/app', reason: ROOT_REASON }),
    });
    assert.deepEqual(ids(exact.suppressed!), ['wildcard-action arn:aws:kms:eu-west-1:123456789012:key/app AccountAdmin']);
    assert.deepEqual(ids(exact.findings), [
      'wildcard-action arn:aws:kms:eu-west-1:123456789012:key/log AccountAdmin',
      'wildcard-action role.json 1',
    ]);

    const glob = await runAudit(input(), {
      suppressions: suppressions({ kind: 'wildcard-action', resource: 'arn:aws:kms:*:123456789012:key/*', reason: ROOT_REASON }),
    });
    assert.equal(glob.suppressed!.length, 2);
    assert.deepEqual(ids(glob.findings), ['wildcard-action role.json 1']);
    assert.deepEqual(
      glob.suppressed!.map((f) => f.suppression.reason),
      [ROOT_REASON, ROOT_REASON],
    );
  });

  it('does not match another kind, another account, or a glob whose dots are literal', async () => {
    const result = await runAudit(input(), {
      suppressions: suppressions(
        { kind: 'public-principal', resource: '*', reason: 'wrong kind' },
        { kind: 'wildcard-action', resource: 'arn:aws:kms:*:999999999999:key/*', reason: 'other account' },
        { kind: 'wildcard-action', resource: 'role.jso', reason: 'prefix only' },
        { kind: 'wildcard-action', resource: 'role?json', reason: 'not a wildcard' },
        { kind: 'wildcard-action', resource: 'role-json', reason: 'dot is literal' },
      ),
    });
    assert.deepEqual(result.suppressed, []);
    assert.equal(result.findings.length, 3);
    assert.equal(result.summary.suppressions!.stale.length, 5);
  });

  it('matches a statement by Sid, or by index given as number or string', async () => {
    const bySid = await runAudit(input(), {
      suppressions: suppressions({ kind: 'wildcard-action', resource: '*', statement: 'AccountAdmin', reason: ROOT_REASON }),
    });
    assert.deepEqual(ids(bySid.findings), ['wildcard-action role.json 1']);
    for (const statement of [1, '1']) {
      const byIndex = await runAudit(input(), {
        suppressions: suppressions({ kind: 'wildcard-action', resource: 'role.json', statement, reason: 'bucket admin role' }),
      });
      assert.deepEqual(ids(byIndex.suppressed!), ['wildcard-action role.json 1'], String(statement));
    }
    const wrong = await runAudit(input(), {
      suppressions: suppressions({ kind: 'wildcard-action', resource: 'role.json', statement: 0, reason: 'bucket admin role' }),
    });
    assert.deepEqual(wrong.suppressed, []);
  });

  it("sees the rules' conclusion: a finding removed by a Deny leaves its suppression stale", async () => {
    const denied = emptyInput();
    denied.documents.push({
      id: 'p',
      resource: 'p',
      policyKind: 'identity',
      document: policy(allow('s3:*', 'arn:aws:s3:::b'), { Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::b' }),
    });
    const result = await runAudit(denied, {
      suppressions: suppressions({ kind: 'wildcard-action', resource: 'p', reason: 'denied anyway' }),
    });
    assert.deepEqual([result.findings.length, result.suppressed!.length], [0, 0]);
    assert.deepEqual(result.summary.suppressions!.stale, [{ kind: 'wildcard-action', resource: 'p', reason: 'denied anyway' }]);
  });

  it('keeps suppressed findings out of the totals and lists stale entries in the summary', async () => {
    const result = await runAudit(input(), {
      suppressions: suppressions(
        { kind: 'wildcard-action', resource: 'arn:aws:kms:*', reason: ROOT_REASON },
        { kind: 'passrole-star', resource: 'gone-role', reason: 'removed last year' },
      ),
    });
    assert.equal(result.summary.total, 1);
    assert.deepEqual(result.summary.bySeverity, { critical: 0, high: 1, medium: 0, low: 0 });
    assert.deepEqual(result.summary.suppressions, {
      entries: 2,
      suppressed: 2,
      expired: 0,
      stale: [{ kind: 'passrole-star', resource: 'gone-role', reason: 'removed last year' }],
    });
  });

  it('leaves the summary unchanged without suppressions', async () => {
    const result = await runAudit(input());
    assert.equal(result.summary.suppressions, undefined);
    assert.deepEqual(result.suppressed, []);
  });
});

describe('Suppressions: expiry', () => {
  const entry = { kind: 'wildcard-action', resource: 'arn:aws:kms:*', reason: ROOT_REASON, expires: '2025-06-30' };

  it('applies through the last day (UTC) and stops at the next midnight', async () => {
    const last = await runAudit(input(), { suppressions: suppressions(entry), now: new Date('2025-06-30T23:59:59Z') });
    assert.equal(last.suppressed!.length, 2);
    assert.equal(last.summary.suppressions!.expired, 0);
    assert.deepEqual(last.suppressed![0]!.suppression, { reason: ROOT_REASON, expires: '2025-06-30' });

    const after = await runAudit(input(), { suppressions: suppressions(entry), now: new Date('2025-07-01T00:00:00Z') });
    assert.deepEqual(after.suppressed, []);
    assert.deepEqual(ids(after.findings), [
      'wildcard-action arn:aws:kms:eu-west-1:123456789012:key/app AccountAdmin',
      'wildcard-action arn:aws:kms:eu-west-1:123456789012:key/log AccountAdmin',
      'wildcard-action role.json 1',
      'suppression-expired suppressions.json -',
    ]);
    const expired = after.findings.at(-1)!;
    assert.equal(expired.severity, 'low');
    assert.match(expired.message, /expired on 2025-06-30: 2 finding\(s\) it covered are reported again/);
    assert.deepEqual(after.summary.suppressions, { entries: 1, suppressed: 0, expired: 1, stale: [] });
  });

  it('an expired entry is never baselined, and suppressed findings never enter a baseline', async () => {
    const now = new Date('2025-07-01T00:00:00Z');
    const audited = input();
    const expired = await runAudit(audited, { suppressions: suppressions(entry), now });
    const baseline = createBaseline(expired, audited, now);
    assert.deepEqual(
      baseline.findings.map((f) => f.kind),
      ['wildcard-action', 'wildcard-action', 'wildcard-action'],
    );
    const compared = applyBaseline(expired, audited, baseline, 'b.json');
    assert.deepEqual(ids(compared.findings), ['suppression-expired suppressions.json -']);
    assert.equal(compared.findings[0]!.baselineState, 'new');

    const active = await runAudit(audited, { suppressions: suppressions({ ...entry, expires: '2030-01-01' }), now });
    const narrow = createBaseline(active, audited, now);
    assert.deepEqual(
      narrow.findings.map((f) => f.resource),
      ['role.json'],
    );
    const kept = applyBaseline(active, audited, narrow, 'b.json');
    assert.equal(kept.suppressed!.length, 2, 'the baseline keeps the suppressed list');
    assert.equal(kept.summary.suppressions!.suppressed, 2);
  });
});

describe('Suppressions: reports', () => {
  const kmsSuppression = (extra: Record<string, unknown> = {}) =>
    suppressions({ kind: 'wildcard-action', resource: 'arn:aws:kms:*', statement: 'AccountAdmin', reason: ROOT_REASON, ...extra });

  it('JSON keeps findings active and lists suppressed ones with their reason', async () => {
    const json = JSON.parse(renderJson(await runAudit(input(), { suppressions: kmsSuppression() })));
    assert.deepEqual(Object.keys(json), ['findings', 'suppressed', 'summary']);
    assert.deepEqual(ids(json.findings), ['wildcard-action role.json 1']);
    assert.deepEqual(
      json.suppressed.map((f: { resource: string; suppression: unknown }) => [f.resource, f.suppression]),
      [
        ['arn:aws:kms:eu-west-1:123456789012:key/app', { reason: ROOT_REASON }],
        ['arn:aws:kms:eu-west-1:123456789012:key/log', { reason: ROOT_REASON }],
      ],
    );
    assert.equal(json.summary.suppressions.suppressed, 2);
  });

  it('table prints one line with the count and reasons, and one with stale entries', async () => {
    const text = renderTable(
      await runAudit(input(), {
        suppressions: [...kmsSuppression(), ...suppressions({ kind: 'malformed', resource: 'old.json', reason: 'fixed' })],
      }),
    );
    assert.match(
      text,
      /^2 suppressed \(not counted\): 2 × "break-glass key administrator: the key-admin role keeps kms:\* for recovery"$/m,
    );
    assert.match(text, /^1 stale suppression\(s\) matched nothing: malformed old\.json$/m);
    assert.match(text, /^1 finding\(s\): 0 critical, 1 high, 0 medium, 0 low$/m);
    assert.doesNotMatch(text, /key\/app/, 'suppressed findings get no block of their own');
  });

  it('SARIF marks suppressed results as external suppressions with the reason, and validates', async () => {
    const sarif = JSON.parse(renderSarif(await runAudit(input(), { suppressions: kmsSuppression() }), { version: '0.1.0' }));
    assert.equal((await sarifValidator())(sarif), true);
    const results = sarif.runs[0].results as { ruleId: string; suppressions: unknown[]; properties: { resource: string } }[];
    assert.equal(results.length, 3);
    const suppressedResults = results.filter((r) => r.suppressions.length > 0);
    assert.deepEqual(
      suppressedResults.map((r) => r.properties.resource),
      ['arn:aws:kms:eu-west-1:123456789012:key/app', 'arn:aws:kms:eu-west-1:123456789012:key/log'],
    );
    assert.deepEqual(suppressedResults[0]!.suppressions, [{ kind: 'external', status: 'accepted', justification: ROOT_REASON }]);
    assert.deepEqual(results.find((r) => r.properties.resource === 'role.json')!.suppressions, []);
    const rules = sarif.runs[0].tool.driver.rules as { id: string }[];
    assert.ok(rules.some((r) => r.id === 'suppression-expired'));
  });

  it('SARIF with an expired suppression validates and points at the suppressions file', async () => {
    const file = await tempFile('s.json', {
      suppressions: [{ kind: 'wildcard-action', resource: 'x', reason: 'r', expires: '2020-01-01' }],
    });
    const sarif = JSON.parse(renderSarif(await runAudit(input(), { suppressions: await readSuppressions(file) }), { root: '/' }));
    assert.equal((await sarifValidator())(sarif), true);
    const expired = sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'suppression-expired');
    assert.equal(expired.level, 'note');
    assert.equal(expired.locations[0].physicalLocation.region.startLine, 3);
  });
});

describe('Suppressions: CLI', () => {
  const kmsFile = (extra: Record<string, unknown> = {}) =>
    tempFile('suppressions.json', {
      suppressions: [{ kind: 'wildcard-action', resource: KMS, statement: 'AccountAdmin', reason: ROOT_REASON, ...extra }],
    });

  it('--fail-on ignores suppressed findings (exit 0) and fails without them (exit 1)', async () => {
    assert.equal(runCli('--policies', KMS, '--fail-on', 'low').status, 1);
    const run = runCli('--policies', KMS, '--fail-on', 'low', '--suppressions', await kmsFile(), '--format', 'json');
    assert.equal(run.status, 0, run.stderr);
    const json = JSON.parse(run.stdout);
    assert.deepEqual([json.findings.length, json.suppressed.length, json.suppressed[0].suppression.reason], [0, 1, ROOT_REASON]);
    assert.match(run.stderr, /0 finding\(s\): 0 critical, 0 high, 0 medium, 0 low; 1 suppressed, 0 expired and 0 stale suppression\(s\)/);
  });

  it('a stale suppression is listed but does not fail', async () => {
    const file = await tempFile('s.json', { suppressions: [{ kind: 'public-principal', resource: 'gone', reason: 'bucket deleted' }] });
    const run = runCli('--policies', `${FIXTURES}/policies/nested`, '--suppressions', file);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /1 stale suppression\(s\) matched nothing: public-principal gone/);
  });

  it('an expired suppression fails again, on its findings and on itself', async () => {
    const file = await kmsFile({ expires: '2020-12-31' });
    assert.equal(runCli('--policies', KMS, '--suppressions', file, '--fail-on', 'high').status, 1);
    const run = runCli('--policies', KMS, '--suppressions', file, '--format', 'json', '--fail-on', 'none');
    assert.deepEqual(
      JSON.parse(run.stdout).findings.map((f: { kind: string }) => f.kind),
      ['wildcard-action', 'suppression-expired'],
    );
  });

  it('exits 2 for a bad or missing suppressions file, naming the entry and field', async () => {
    const noReason = await tempFile('s.json', { suppressions: [{ kind: 'wildcard-action', resource: KMS }] });
    const bad = runCli('--policies', KMS, '--suppressions', noReason);
    assert.equal(bad.status, 2);
    assert.equal(bad.stdout, '');
    assert.match(bad.stderr, /s\.json: suppressions\[0\]\.reason is required/);
    const missing = runCli('--policies', KMS, '--suppressions', join(tmpdir(), 'meshgate-no-such-suppressions.json'));
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /cannot read suppressions .*ENOENT/);
    assert.equal(runCli('--policies', KMS, '--suppressions').status, 2);
  });
});
