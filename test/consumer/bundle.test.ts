// meshgate/consumer as Node services get it: the esbuild bundle and its .d.ts, built by `npm run build:consumer`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { signAssertion } from '../../src/keys/assertion';
import { newKeySet } from '../../src/keys/key-set';
import { startJwksServer } from '../support/jwks-server';
import { AUDIENCE, ISSUER, claims, jwksKeys } from './helpers';

describe('Consumer: the built bundle', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'meshgate-consumer-'));
  after(() => rmSync(outdir, { recursive: true, force: true }));

  it('builds one CommonJS file with type declarations and no Lambda-side dependencies', () => {
    const run = spawnSync(process.execPath, ['scripts/build-consumer.mjs', '--outdir', outdir], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const code = readFileSync(join(outdir, 'consumer.js'), 'utf8');
    assert.ok(!code.includes('@aws-lambda-powertools') && !code.includes('@aws-sdk/'));
    assert.ok(!/require\("(?!node:|crypto|http|https)[^"]+"\)/.test(code), 'only node built-ins are required');
    assert.ok(existsSync(join(outdir, 'consumer.d.ts')));
    assert.match(readFileSync(join(outdir, 'types', 'consumer', 'index.d.ts'), 'utf8'), /createAssertionVerifier/);
  });

  it('verifies a real assertion when required from the bundle', async () => {
    const set = newKeySet();
    const server = await startJwksServer(jwksKeys(set));
    try {
      const consumer = createRequire(__filename)(join(outdir, 'consumer.js')) as typeof import('../../src/consumer');
      const verifier = consumer.createAssertionVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: server.jwksUri });
      const identity = await verifier.verify({ method: 'GET', path: '/orders/42', headers: { 'x-identity-assertion': signAssertion(claims(), set.current) } });
      assert.equal(identity.sub, 'user-1');
      await assert.rejects(verifier.verify({ method: 'GET', path: '/orders/42', headers: {} }), (err: Error & { code?: string }) => err instanceof consumer.AssertionError && err.code === 'assertion_missing');
    } finally {
      await server.close();
    }
  });
});
