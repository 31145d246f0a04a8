// CLI: `node bin/meshgate.cjs audit ...` exit codes, formats, --help, baselines.
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { FIXTURES, runCli as audit } from './support';

describe('CLI: meshgate audit', () => {
  it('prints help on stdout and exits 0', () => {
    const run = audit('--help');
    assert.equal(run.status, 0);
    assert.match(run.stdout, /--policies <file\|dir>/);
    assert.match(run.stdout, /--public-route/);
    assert.match(run.stdout, /--sarif-root <dir>/);
  });

  it('exits 2 for bad usage: no input, unknown option, bad --fail-on, bad --public-route', () => {
    for (const args of [
      [],
      ['--template'],
      ['--bogus'],
      ['--template', 'x', '--fail-on', 'severe'],
      ['--policies', 'x', '--public-route', 'jwks'],
    ]) {
      const run = audit(...args);
      assert.equal(run.status, 2, `args ${args.join(' ')}: ${run.stderr}`);
      assert.equal(run.stdout, '');
    }
  });

  it('exits 2 for unreadable input', () => {
    const run = audit('--template', `${FIXTURES}/missing.json`);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /cannot read .*missing.json: ENOENT/);
  });

  it('exits 2 for input that audits nothing, whatever --fail-on says: a folder without *.json, a file that is not JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshgate-cli-'));
    const empty = audit('--policies', dir, '--fail-on', 'none');
    assert.equal(empty.status, 2);
    assert.match(empty.stderr, new RegExp(`--policies ${dir} holds no .json file`));
    for (const failOn of ['high', 'none']) {
      const broken = audit('--policies', `${FIXTURES}/broken.json`, '--fail-on', failOn);
      assert.equal(broken.status, 2);
      assert.match(broken.stderr, /broken\.json is not JSON/);
      assert.equal(broken.stdout, '');
    }
  });

  it('--allow-unreadable skips a file that is not JSON and counts it on the read line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshgate-cli-'));
    await copyFile(`${FIXTURES}/broken.json`, join(dir, 'broken.json'));
    await copyFile(`${FIXTURES}/policies/nested/lambda-role.json`, join(dir, 'role.json'));
    const run = audit('--policies', dir, '--allow-unreadable', '--fail-on', 'none');
    assert.equal(run.status, 0, run.stderr);
    assert.match(
      run.stderr,
      /read 1 policy document\(s\), 0 route\(s\), 0 secret\(s\) from 1 source\(s\); skipped 1 unreadable file\(s\): .*broken\.json is not JSON/,
    );
    assert.equal(audit('--template', `${FIXTURES}/broken.json`, '--policies', dir, '--allow-unreadable', '--fail-on', 'none').status, 0);
  });

  it('exits 1 when findings reach --fail-on and 0 when they do not', () => {
    const template = `${FIXTURES}/serverless-template.json`;
    assert.equal(audit('--template', template, '--fail-on', 'critical').status, 1);
    assert.equal(audit('--policies', `${FIXTURES}/policies/nested`, '--fail-on', 'low').status, 0);
    assert.equal(audit('--template', template, '--fail-on', 'none').status, 0);
  });

  it('honours --public-route and prints the summary on stderr', () => {
    const run = audit('--template', `${FIXTURES}/serverless-template.json`, '--public-route', 'GET /health', '--format', 'json');
    assert.equal(run.status, 1);
    assert.equal(JSON.parse(run.stdout).summary.byKind['route-without-authorizer'], 1);
    assert.match(run.stderr, /meshgate audit: 3 finding\(s\): 1 critical, 1 high, 1 medium, 0 low/);
  });

  it('writes SARIF to --output and keeps stdout empty', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshgate-cli-'));
    const out = join(dir, 'audit.sarif');
    const run = audit('--template', `${FIXTURES}/template.yaml`, '--format', 'sarif', '--output', out, '--fail-on', 'none');
    assert.equal(run.status, 0);
    assert.equal(run.stdout, '');
    assert.equal(JSON.parse(await readFile(out, 'utf8')).version, '2.1.0');
  });

  it('--sarif-root: a file under it is relative to %SRCROOT%, one outside it an absolute file:// URI; not a folder exits 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshgate-cli-'));
    const file = join(dir, 'bucket policy.json');
    await copyFile(`${FIXTURES}/policies/bucket-policy-cli.json`, file);
    const uris = (...args: string[]) => {
      const run = audit('--policies', file, '--format', 'sarif', '--fail-on', 'none', ...args);
      assert.equal(run.status, 0, run.stderr);
      const sarif = JSON.parse(run.stdout);
      return {
        base: sarif.runs[0].originalUriBaseIds['%SRCROOT%'].uri as string,
        locations: new Set(
          sarif.runs[0].results.map((r: { locations: { physicalLocation: { artifactLocation: unknown } }[] }) =>
            JSON.stringify(r.locations[0]!.physicalLocation.artifactLocation),
          ),
        ),
      };
    };
    const under = uris('--sarif-root', dir);
    assert.equal(under.base, `${pathToFileURL(dir).href}/`);
    assert.deepEqual([...under.locations], [JSON.stringify({ uri: 'bucket%20policy.json', uriBaseId: '%SRCROOT%' })]);
    const outside = uris();
    assert.equal(outside.base, `${pathToFileURL(process.cwd()).href}/`);
    assert.deepEqual([...outside.locations], [JSON.stringify({ uri: pathToFileURL(file).href })]);

    const missing = audit('--policies', file, '--format', 'sarif', '--sarif-root', join(dir, 'nope'));
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /--sarif-root .*nope is not a folder/);
    assert.equal(missing.stdout, '');
  });

  it('writes a baseline (exit 0) and then reports nothing new against it (exit 0)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshgate-cli-'));
    const baseline = join(dir, 'baseline.json');
    const template = `${FIXTURES}/serverless-template.json`;
    assert.equal(audit('--template', template, '--write-baseline', baseline).status, 0);
    const run = audit('--template', template, '--baseline', baseline, '--format', 'json');
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout).summary.baseline.accepted, 4);
  });
});
