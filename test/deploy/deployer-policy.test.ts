// The deployer's least-privilege policy (docs/deploy.md "Deployer IAM policy"): meshgate's own audit finds nothing but
// the three accepted escalation paths every deployer of functions with their own roles has.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** The command as docs/deploy.md shows it, plus `--format json` to read the answer. */
const AUDIT = [
  'meshgate',
  'audit',
  '--policies',
  'docs/deployer-policy.json',
  '--suppressions',
  'docs/deployer-policy-suppressions.json',
  '--fail-on',
  'medium',
];

describe('docs/deployer-policy.json', () => {
  it('passes npx meshgate audit at --fail-on medium, with exactly the documented suppressions', async () => {
    const doc = await readFile('docs/deploy.md', 'utf8');
    assert.ok(doc.includes(`npx ${AUDIT.join(' ')}`), 'docs/deploy.md shows the command');
    const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile('npx', [...AUDIT, '--format', 'json'], { timeout: 60_000 }, (err, out) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout: out }),
      );
    });
    assert.equal(code, 0, stdout);
    const report = JSON.parse(stdout) as { findings: unknown[]; suppressed: { kind: string; statement?: string; location?: unknown }[] };
    assert.deepEqual(report.findings, []);
    assert.deepEqual(report.suppressed.map((f) => f.kind).sort(), ['privilege-escalation', 'privilege-escalation', 'privilege-escalation']);
  });

  it('scopes every grant to meshgate-* resources, except the listing and validation actions that take no resource', async () => {
    const policy = JSON.parse(await readFile('docs/deployer-policy.json', 'utf8')) as {
      Statement: { Sid: string; Action: string | string[]; Resource: string | string[] }[];
    };
    const unscoped = policy.Statement.filter((s) => [s.Resource].flat().some((r) => r === '*')).flatMap((s) => [s.Action].flat());
    assert.deepEqual(unscoped.sort(), ['cloudformation:ValidateTemplate', 'logs:DescribeLogGroups']);
    for (const s of policy.Statement.filter((x) => x.Resource !== '*')) {
      for (const r of [s.Resource].flat()) assert.match(r, /meshgate|\/restapis|\/tags\//, `${s.Sid}: ${r}`);
    }
  });
});
