// `npm run check:catalogue`, spawned as docs/audit.md shows it, on fixtures that don't depend on moto's corpus:
// known.json uses only catalogued actions; retired.json adds a retired service (iot1click) and a retired action of
// a catalogued service (cloudhsm:DescribeHapg, CloudHSM Classic).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { FIXTURES } from './support';

const DIR = `${FIXTURES}/catalogue`;

function checkCatalogue(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync('npm', ['run', '--silent', 'check:catalogue', '--', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('npm run check:catalogue', () => {
  it('lists actions the catalogue lacks, grouped by service with counts and the policies using them, and exits 1', () => {
    const run = checkCatalogue('--policies', DIR);
    assert.equal(run.status, 1, run.stderr);
    assert.match(
      run.stdout,
      /^2 policy document\(s\) from test\/audit\/fixtures\/catalogue: 2 actions of 2 services, used by 1 policy, not in @cloud-copilot\/iam-data \d/,
    );
    assert.match(
      run.stdout,
      /^cloudhsm: 1 action in 1 policy, actions not in the catalogue\n {2}cloudhsm:DescribeHapg {2}\(test\/audit\/fixtures\/catalogue\/retired\.json\)$/m,
    );
    assert.match(
      run.stdout,
      /^iot1click: 1 action in 1 policy, service not in the catalogue\n {2}iot1click:ListDevices {2}\(test\/audit\/fixtures\/catalogue\/retired\.json\)$/m,
    );
    assert.doesNotMatch(run.stdout, /s3:|known\.json/);
    assert.equal(run.stderr, '');
  });

  it('exits 0 when every action is in the catalogue', () => {
    const run = checkCatalogue('--policies', `${DIR}/known.json`);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^1 policy document\(s\) from .*known\.json: every action is in @cloud-copilot\/iam-data \d/);
  });

  it('prints --help on stdout (exit 0); bad usage and unreadable input exit 2 with the reason on stderr', () => {
    const help = checkCatalogue('--help');
    assert.equal(help.status, 0);
    assert.match(help.stdout, /usage: npm run check:catalogue -- \[--policies <file\|dir>\]/);
    assert.match(help.stdout, /exit codes: 0 .* 1 .* 2 /);
    const bad = checkCatalogue('--bogus');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /Unknown option '--bogus'[\s\S]*usage:/);
    assert.equal(bad.stdout, '');
    const missing = checkCatalogue('--policies', `${DIR}/missing.json`);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /cannot read .*missing\.json: ENOENT/);
  });
});
