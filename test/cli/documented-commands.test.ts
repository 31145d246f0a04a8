// Every command the README and docs show, run the way a user runs it: `npx meshgate ...`, `npm run ...` or the bin
// itself, spawned with no extra node flags. (`audit --live` and `rotate --secret-id` need AWS: test/aws runs them
// against moto; `start` runs in test/cli/start.test.ts and test/e2e/start.test.ts.)
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newKeySet, parseKeySet, serializeKeySet } from '../../src/keys/key-set';
import { startJwksServer, type JwksServer } from '../support/jwks-server';
import { FIXTURES, sarifValidator } from '../audit/support';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command line as a shell would (argv already split), from the repository root, without AWS credentials. */
function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_') && k !== 'MESHGATE_ISSUERS') base[k] = v;
  return new Promise((resolve) => {
    execFile(file, [...args], { env: { ...base, ...env }, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const npx = (...args: string[]) => run('npx', ['--no-install', ...args]);
const npmRun = (script: string, args: string[], env?: NodeJS.ProcessEnv) => run('npm', ['run', '--silent', script, '--', ...args], env);
const bin = (...args: string[]) => run(process.execPath, ['bin/meshgate.cjs', ...args]);

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meshgate-docs-cli-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Command: meshgate check (docs/delegation-config.md)', () => {
  it('npx meshgate check: config/routes.json is valid; a broken file exits 1 naming the field', async () => {
    const ok = await npx('meshgate', 'check');
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^config\/routes\.json: valid \(\d+ routes, \d+ upstreams, 1 delegation edges, 0 pre-minted\)$/m);
    const broken = join(dir, 'routes.json');
    const config = JSON.parse(await readFile('config/routes.json', 'utf8')) as { edges: Array<Record<string, unknown>> };
    config.edges[0]!.maxDepth = 6;
    await writeFile(broken, JSON.stringify(config));
    const bad = await npx('meshgate', 'check', '--routes', broken);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /routes\.edges\[0\]\.maxDepth: must be an integer from 1 to 5/);
  });
});

describe('Command: meshgate --help and <command> --help', () => {
  it('prints the command list (npx meshgate --help) and exits 0; no command is a usage error (2)', async () => {
    const help = await npx('meshgate', '--help');
    assert.equal(help.code, 0, help.stderr);
    for (const name of ['start', 'rotate', 'audit', 'snapshot-jwks']) assert.match(help.stdout, new RegExp(`^  ${name}\\s`, 'm'));
    const none = await bin();
    assert.equal(none.code, 2);
    const unknown = await bin('deploy');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command 'deploy'/);
  });

  it('npx meshgate --version and npx meshgate version print the package version on stdout and exit 0', async () => {
    const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    for (const args of [['--version'], ['version']]) {
      const r = await npx('meshgate', ...args);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${version}\n`);
    }
  });

  it('every command prefixes its usage errors with "meshgate <command>: " and exits 2', async () => {
    for (const command of ['start', 'rotate', 'audit', 'snapshot-jwks']) {
      const r = await bin(command, '--no-such-option');
      assert.equal(r.code, 2, `${command}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^meshgate ${command}: `), command);
    }
  });

  for (const [command, usage] of [
    ['start', /usage: meshgate start/],
    ['rotate', /usage: meshgate rotate/],
    ['audit', /usage: meshgate audit/],
    ['snapshot-jwks', /usage: meshgate snapshot-jwks/],
    ['check', /usage: meshgate check/],
  ] as const) {
    it(`meshgate ${command} --help prints its usage on stdout and exits 0`, async () => {
      const help = await bin(command, '--help');
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, usage);
      assert.equal(help.stderr, '');
    });
  }
});

describe('Command: meshgate audit --policies and --template, each format (docs/audit.md, README)', () => {
  const policies = `${FIXTURES}/policies`;
  const details = `${FIXTURES}/account-authorization-details.json`;

  it('npx meshgate audit --policies <dir> --policies <account details> --format sarif --output audit.sarif: valid SARIF, stdout empty', async () => {
    const out = join(dir, 'audit.sarif');
    const r = await npx('meshgate', 'audit', '--policies', policies, '--policies', details, '--format', 'sarif', '--output', out);
    assert.equal(r.code, 1, r.stderr); // the fixtures hold findings at every severity
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /meshgate audit: read \d+ policy document\(s\)/);
    const sarif = JSON.parse(await readFile(out, 'utf8')) as { version: string; runs: { results: unknown[] }[] };
    assert.ok((await sarifValidator())(sarif), 'valid SARIF 2.1.0');
    assert.ok(sarif.runs[0]!.results.length > 0);
  });

  it('the same inputs as table (default) and json agree on the count', async () => {
    const json = await bin('audit', '--policies', policies, '--policies', details, '--format', 'json');
    const table = await bin('audit', '--policies', policies, '--policies', details);
    assert.equal(json.code, 1, json.stderr);
    assert.equal(table.code, 1, table.stderr);
    const total = (JSON.parse(json.stdout) as { summary: { total: number } }).summary.total;
    assert.ok(total > 0);
    assert.match(table.stderr, new RegExp(`meshgate audit: ${total} finding\\(s\\)`));
    assert.match(table.stdout, /critical|high|medium/);
  });

  for (const format of ['table', 'json', 'sarif'] as const) {
    it(`npx meshgate audit --template <yaml and json templates> --fail-on medium --format ${format}`, async () => {
      const r = await npx(
        'meshgate',
        'audit',
        '--template',
        `${FIXTURES}/template.yaml`,
        '--template',
        `${FIXTURES}/serverless-template.json`,
        '--fail-on',
        'medium',
        '--format',
        format,
      );
      assert.equal(r.code, 1, r.stderr);
      if (format === 'table') assert.match(r.stdout, /route-without-authorizer/);
      else {
        const parsed = JSON.parse(r.stdout) as { summary?: { total: number }; version?: string };
        if (format === 'json') assert.ok(parsed.summary!.total > 0);
        else assert.equal(parsed.version, '2.1.0');
      }
    });
  }

  it('npx meshgate audit --template <file> --format sarif --sarif-root <checkout> --output audit.sarif: paths relative to the checkout', async () => {
    const out = join(dir, 'audit-rooted.sarif');
    const r = await npx(
      'meshgate',
      'audit',
      '--template',
      `${FIXTURES}/template.yaml`,
      '--format',
      'sarif',
      '--sarif-root',
      process.cwd(),
      '--output',
      out,
    );
    assert.equal(r.code, 1, r.stderr);
    const sarif = JSON.parse(await readFile(out, 'utf8')) as {
      runs: { results: { locations: { physicalLocation?: { artifactLocation: { uri: string; uriBaseId?: string } } }[] }[] }[];
    };
    assert.ok((await sarifValidator())(sarif), 'valid SARIF 2.1.0');
    const artifacts = sarif.runs[0]!.results.flatMap((x) =>
      x.locations.flatMap((l) => (l.physicalLocation ? [l.physicalLocation.artifactLocation] : [])),
    );
    assert.ok(artifacts.length > 0);
    assert.ok(
      artifacts.every((a) => a.uri === `${FIXTURES}/template.yaml` && a.uriBaseId === '%SRCROOT%'),
      JSON.stringify(artifacts[0]),
    );
  });

  it('npm run check:catalogue -- --policies <dir> lists actions the IAM catalogue lacks (exit 1)', async () => {
    const r = await npmRun('check:catalogue', ['--policies', `${FIXTURES}/catalogue`]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /iot1click/);
  });

  it('npm run audit -- --template <file> (the package script) passes its arguments through', async () => {
    const r = await npmRun('audit', ['--template', `${FIXTURES}/serverless-template.json`, '--fail-on', 'none', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok((JSON.parse(r.stdout) as { summary: { total: number } }).summary.total > 0);
  });
});

describe('Command: meshgate snapshot-jwks (README "Deploy", step 2)', () => {
  let jwks: JwksServer;
  before(async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    jwks = await startJwksServer([
      { ...(publicKey.export({ format: 'jwk' }) as Record<string, string>), kid: 'k1', alg: 'RS256', use: 'sig' },
    ]);
  });
  after(() => jwks.close());

  it("MESHGATE_ISSUERS='[…]' npm run snapshot-jwks writes every issuer's keys (here to --output, loopback allowed)", async () => {
    const output = join(dir, 'jwks-snapshot.json');
    const issuers = JSON.stringify([{ issuer: jwks.url, audience: ['meshgate'], jwksUri: jwks.jwksUri }]);
    const r = await npmRun('snapshot-jwks', ['--output', output, '--allow-loopback-http'], { MESHGATE_ISSUERS: issuers });
    assert.equal(r.code, 0, r.stderr);
    const snapshot = JSON.parse(await readFile(output, 'utf8')) as Record<string, { keys: { kid: string }[] }>;
    assert.deepEqual(Object.keys(snapshot), [jwks.jwksUri]);
    assert.deepEqual(
      snapshot[jwks.jwksUri]!.keys.map((k) => k.kid),
      ['k1'],
    );
    assert.equal(r.stdout, `wrote ${output} (1 issuers)\n`, 'stdout holds the result only');
    assert.ok(
      r.stderr.split('\n').some((l) => l.startsWith('{') && (JSON.parse(l) as { message?: string }).message === 'jwks fetched'),
      `the JSON log line goes to stderr:\n${r.stderr}`,
    );
  });

  it('names MESHGATE_ISSUERS (not a flag) when the list came from it, with the switch that allows a loopback http issuer', async () => {
    const issuers = JSON.stringify([{ issuer: jwks.url, audience: ['meshgate'] }]);
    const r = await npmRun('snapshot-jwks', ['--output', join(dir, 'unused.json')], { MESHGATE_ISSUERS: issuers });
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /^meshgate snapshot-jwks: MESHGATE_ISSUERS: issuers\[0\]\.issuer: must be https; to allow http on loopback for local testing, pass --allow-loopback-http$/m,
    );
    assert.equal(r.stdout, '');
  });

  it('exits 1 and writes nothing when a JWKS cannot be fetched; 2 without issuers', async () => {
    const output = join(dir, 'not-written.json');
    jwks.mode = 'down';
    try {
      const down = await bin(
        'snapshot-jwks',
        '--issuers',
        JSON.stringify([{ issuer: jwks.url, audience: ['m'], jwksUri: jwks.jwksUri }]),
        '--output',
        output,
        '--allow-loopback-http',
      );
      assert.equal(down.code, 1, down.stderr);
      assert.match(down.stderr, /nothing written/);
      await assert.rejects(readFile(output));
    } finally {
      jwks.mode = 'ok';
    }
    const none = await bin('snapshot-jwks', '--output', output);
    assert.equal(none.code, 2, none.stderr);
  });
});

describe('Command: npm run test:mutation (README "Contributing")', () => {
  // A real run takes minutes per folder: here the command's own answers, and the report it writes being current.
  it('npm run test:mutation -- --help names the folders; an unknown folder is a usage error (2)', async () => {
    const help = await npmRun('test:mutation', ['--help']);
    assert.equal(help.code, 0, help.stderr);
    for (const folder of ['auth', 'consumer', 'exchange', 'ingress', 'keys', 'rotation'])
      assert.match(help.stdout, new RegExp(`\\b${folder}\\b`));
    const unknown = await npmRun('test:mutation', ['nosuch']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown folder nosuch/);
  });

  it('docs/mutation-report.md is what the checked-in results give, and every survivor is explained', async () => {
    const check = await run(process.execPath, ['scripts/mutation-report.mjs', '--check']);
    assert.equal(check.code, 0, check.stderr);
  });
});

describe('Command: npm run rotate (docs/rotation.md "local rotation")', () => {
  it('npm run rotate -- --local --keys-file <file> rotates the local key set twice in a row', async () => {
    const keysFile = join(dir, 'keys.json');
    await writeFile(keysFile, serializeKeySet(newKeySet()), { mode: 0o600 });
    const first = await npmRun('rotate', ['--local', '--keys-file', keysFile, '--json']);
    assert.equal(first.code, 0, first.stderr);
    const second = await npmRun('rotate', ['--keys-file', keysFile, '--json']);
    assert.equal(second.code, 0, second.stderr);
    const [a, b] = [first, second].map(
      (r) => JSON.parse(r.stdout) as { after: { current: string; next: string; previous: string | null } },
    );
    assert.equal(b!.after.current, a!.after.next);
    assert.equal(b!.after.previous, a!.after.current);
    assert.equal(parseKeySet(await readFile(keysFile, 'utf8')).current.kid, b!.after.current);
  });

  it('npm run rotate -- --keys-file <mistyped> refuses (exit 2), names the file and how to create one, creates nothing', async () => {
    const mistyped = join(dir, 'kyes.json');
    const r = await npmRun('rotate', ['--keys-file', mistyped]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`^meshgate rotate: no key set file at ${mistyped.replace(/[.]/g, '\\.')}: \`npm start\` creates`, 'm'),
    );
    assert.equal(r.stdout, '');
    await assert.rejects(readFile(mistyped), /ENOENT/);
  });

  it('meshgate rotate --secret-id without AWS credentials fails with the SDK error (exit 1), not a stack trace', async () => {
    const r = await run(process.execPath, ['bin/meshgate.cjs', 'rotate', '--secret-id', 'meshgate/prod/signing-keys'], {
      AWS_REGION: 'eu-west-1',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^meshgate rotate: \w+: /m);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});

describe('Command: npm install-scripts ls (README "Two commands": npm ci prints no install-script warning)', () => {
  it('finds no dependency install script that allowScripts in package.json has not reviewed', async () => {
    const r = await run('npm', ['install-scripts', 'ls']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^No packages with unreviewed install scripts\.$/m);
    assert.doesNotMatch(r.stderr, /warn/i);
  });
});
