// @meshgate/consumer as services get it: `npm pack`, installed offline into an empty project, required and imported,
// verifying an assertion that meshgate's ingress code signed (request line, canonical query and body bound).
import assert from 'node:assert/strict';
import { execFile as execFileCallback } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { VerifiedIdentity } from '../../src/auth/identity';
import { assertionClaims } from '../../src/ingress/assertion-claims';
import { canonicalQuery } from '@meshgate/consumer';
import { signAssertion } from '../../src/keys/assertion';
import { newKeySet } from '../../src/keys/key-set';
import { startJwksServer, type JwksServer } from '../support/jwks-server';
import { AUDIENCE, ISSUER, jwksKeys } from './helpers';

const execFile = promisify(execFileCallback);
const PACKAGE_DIR = resolve('packages/consumer');
const { version } = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string };
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const identity: VerifiedIdentity = {
  sub: 'user-1',
  iss: 'https://idp.example.com/',
  type: 'user',
  scopes: ['orders:write'],
  groups: ['a,b', '["x"]'],
  tenant: 'acme',
  clientId: 'web',
  exp: 0,
};
const BODY = '{"sku":"A-1","quantity":2}';

// The same checks in both module systems: the genuine request verifies, another query or another body does not.
const checks = (load: string): string => `
${load}
const [jwksUri, issuer, audience, assertion, body] = process.argv.slice(2);
const verifier = consumer.createAssertionVerifier({ issuer, audience, jwksUri });
const headers = { 'x-identity-assertion': assertion };
const outcome = (request) => verifier.verify({ method: 'POST', headers, ...request }).then((id) => ({ sub: id.sub, groups: id.groups }), (err) => ({ code: err.code, reason: err.reason, isAssertionError: err instanceof consumer.AssertionError }));
Promise.all([
  outcome({ path: '/orders/42?b=2&a=x%20y', body: Buffer.from(body) }),
  outcome({ path: '/orders/42?a=x%20y&b=3', body }),
  outcome({ path: '/orders/42?a=x+y&b=2', body: body + ' ' }),
  outcome({ path: '/orders/42?a=x+y&b=2' }),
]).then((results) => console.log(JSON.stringify(results)));
`;

describe('Consumer package: npm pack, install into an empty project, require and import', () => {
  const work = mkdtempSync(join(tmpdir(), 'meshgate-consumer-package-'));
  const project = join(work, 'service');
  let packed: { filename: string; files: { path: string }[] };
  let jwks: JwksServer;
  let assertion: string;

  before(async () => {
    // `npm pack` runs the package's prepack script, which builds dist/: no build step before the tests.
    // The recipe of packages/consumer/README.md ("Install"): pack into the service, install the tarball offline.
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'service', version: '1.0.0', private: true }, null, 2)}\n`);
    const { stdout } = await execFile(NPM, ['pack', '--json', '--pack-destination', project], {
      cwd: PACKAGE_DIR,
      maxBuffer: 16 * 1024 * 1024,
    });
    // The build's own log line comes before the JSON on stdout.
    packed = (JSON.parse(stdout.slice(stdout.indexOf('\n[') + 1)) as (typeof packed)[])[0]!;
    // No dependencies, so nothing to download: --offline proves no registry is needed.
    await execFile(NPM, ['install', '--offline', `./${packed.filename}`], { cwd: project });
    writeFileSync(join(project, 'check.cjs'), checks("const consumer = require('@meshgate/consumer');"));
    writeFileSync(join(project, 'check.mjs'), checks("import * as consumer from '@meshgate/consumer';"));

    const set = newKeySet();
    jwks = await startJwksServer(jwksKeys(set));
    const target = {
      audience: AUDIENCE,
      method: 'POST',
      upstreamPath: '/orders/42',
      canonicalQuery: canonicalQuery([
        ['b', '2'],
        ['a', 'x y'],
      ]),
      body: Buffer.from(BODY),
    };
    assertion = signAssertion(
      assertionClaims(identity, target, { issuer: ISSUER, ttlSeconds: 60 }, Math.floor(Date.now() / 1000)),
      set.current,
    );
  });
  after(async () => {
    await jwks?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('packs the built ESM, CommonJS and type declarations, the README, the LICENSE and no sources or tests', () => {
    const files = packed.files.map((f) => f.path).sort();
    assert.ok(files.includes('README.md') && files.includes('package.json') && files.includes('LICENSE'));
    assert.equal(packed.filename, `meshgate-consumer-${version}.tgz`, 'the file name the README shows');
    assert.equal(readFileSync('LICENSE', 'utf8'), readFileSync(join(PACKAGE_DIR, 'LICENSE'), 'utf8'), 'the repository LICENSE');
    assert.match(readFileSync('LICENSE', 'utf8'), /Apache License\s+Version 2\.0, January 2004[\s\S]*END OF TERMS AND CONDITIONS/);
    for (const format of ['esm', 'cjs']) {
      for (const file of ['index.js', 'index.d.ts', 'package.json'])
        assert.ok(files.includes(`dist/${format}/${file}`), `dist/${format}/${file}`);
    }
    assert.deepEqual(
      files.filter((f) => !f.startsWith('dist/') && !['README.md', 'package.json', 'LICENSE'].includes(f)),
      [],
    );
  });

  it('installs with no dependencies and holds no Lambda-side code', () => {
    const installed = JSON.parse(readFileSync(join(project, 'node_modules/@meshgate/consumer/package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    assert.equal(installed.dependencies, undefined);
    assert.equal(installed.peerDependencies, undefined);
    for (const format of ['esm', 'cjs']) {
      const code = readFileSync(join(project, 'node_modules/@meshgate/consumer/dist', format, 'index.js'), 'utf8');
      for (const banned of ['@aws-lambda-powertools', '@aws-sdk/', 'aws-jwt-verify', 'ajv'])
        assert.ok(!code.includes(banned), `${format} bundle contains ${banned}`);
      // A specifier never holds white space, so a message string that happens to read `from "` is not taken for one.
      const specifiers = [...code.matchAll(/(?:require\(|from\s*|import\()\s*"([^"\s]+)"/g)].map((m) => m[1]!);
      assert.ok(specifiers.length > 0, format);
      assert.deepEqual(
        specifiers.filter((s) => !s.startsWith('node:')),
        [],
        `${format} imports only node: built-ins`,
      );
    }
  });

  for (const file of ['check.cjs', 'check.mjs']) {
    it(`${file === 'check.cjs' ? 'require' : 'import'}s it and verifies the real assertion, bound to the query and the body`, async () => {
      const { stdout } = await execFile(process.execPath, [file, jwks.jwksUri, ISSUER, AUDIENCE, assertion, BODY], { cwd: project });
      assert.deepEqual(JSON.parse(stdout), [
        { sub: 'user-1', groups: ['a,b', '["x"]'] },
        { code: 'assertion_request_mismatch', reason: 'req_mismatch', isAssertionError: true },
        { code: 'assertion_request_mismatch', reason: 'body_mismatch', isAssertionError: true },
        { sub: 'user-1', groups: ['a,b', '["x"]'] },
      ]);
    });
  }

  it('resolves its type declarations for import and require under Node16 module resolution', async () => {
    writeFileSync(
      join(project, 'esm.mts'),
      "import { createAssertionVerifier, type TrustedIdentity } from '@meshgate/consumer';\nexport const v = createAssertionVerifier({ issuer: 'i', audience: 'a', jwksUri: 'https://x/jwks' });\nexport type T = TrustedIdentity['sub'];\n",
    );
    writeFileSync(
      join(project, 'cjs.cts'),
      "import { AssertionError, problemFor } from '@meshgate/consumer';\nexport const p = problemFor(new AssertionError('assertion_missing', 'header_missing', 'no header'));\n",
    );
    const tsconfig = {
      compilerOptions: {
        module: 'node16',
        moduleResolution: 'node16',
        strict: true,
        noEmit: true,
        types: ['node'],
        typeRoots: [resolve('node_modules/@types')],
      },
      files: ['esm.mts', 'cjs.cts'],
    };
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(tsconfig));
    const tsc = resolve('node_modules/typescript/bin/tsc');
    await execFile(process.execPath, [tsc, '-p', project]).catch((err: { stdout?: string }) => assert.fail(`tsc: ${err.stdout}`));
  });
});
