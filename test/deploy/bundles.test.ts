// What each function's bundle holds: the hot paths carry no compiler, no audit, no SDK client they never call.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { bundleFunction, functionNames, type FunctionBundle } from '../../scripts/bundles';

const has = (bundle: FunctionBundle, fragment: string): boolean => bundle.inputs.some((input) => input.includes(fragment));

describe('Function bundles (esbuild, as serverless-esbuild builds them)', () => {
  const bundles = new Map<string, FunctionBundle>();
  let dir: string;

  before(async () => {
    // Inside the repo so that `.bench/` (ignored) holds the output next to node_modules.
    await mkdir('.bench', { recursive: true });
    dir = await mkdtemp(join('.bench', 'bundles-'));
    for (const name of functionNames()) bundles.set(name, await bundleFunction(name, dir));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('builds every function at most 300 KB', () => {
    assert.deepEqual([...bundles.keys()], ['audit', 'authorizer', 'exchange', 'ingress', 'jwks', 'rotate', 'scheduled']);
    for (const b of bundles.values()) assert.ok(b.bytes <= 300 * 1024, `${b.name}: ${b.bytes} bytes`);
  });

  it('keeps Ajv, the ingress and the Secrets Manager client out of the authorizer', () => {
    const authorizer = bundles.get('authorizer')!;
    assert.equal(has(authorizer, 'node_modules/ajv/'), false);
    assert.equal(has(authorizer, 'src/ingress/'), false);
    assert.equal(has(authorizer, 'src/keys/key-store-secrets-manager'), false);
    assert.equal(has(authorizer, 'src/audit/'), false);
    assert.ok(has(authorizer, 'node_modules/aws-jwt-verify/'));
  });

  it('ships only Ajv runtime helpers in the ingress, never the schema compiler', () => {
    const ingress = bundles.get('ingress')!;
    assert.equal(has(ingress, 'ajv/dist/compile/'), false);
    assert.equal(has(ingress, 'ajv/dist/core'), false);
    assert.equal(has(ingress, 'src/audit/'), false);
    assert.equal(has(ingress, 'aws-jwt-verify'), false, 'the ingress trusts the authorizer context; it verifies no JWT');
  });

  it('loads no SDK client and no X-Ray SDK on the request path: one signed request per secret read', () => {
    for (const name of ['authorizer', 'ingress', 'jwks']) {
      const b = bundles.get(name)!;
      assert.deepEqual(b.externals, [], `${name} requires ${b.externals.join(', ')}`);
      assert.equal(has(b, 'node_modules/@aws-sdk/') || has(b, 'node_modules/@smithy/core'), false, name);
      assert.equal(has(b, 'src/keys/secret-reader-sdk'), false, name);
      assert.equal(has(b, 'node_modules/aws-xray-sdk-core/'), false, `${name}: spans go straight to the daemon (src/xray.ts)`);
    }
    assert.ok(has(bundles.get('ingress')!, 'src/keys/secrets-manager-http'));
    assert.ok(has(bundles.get('jwks')!, 'src/keys/secrets-manager-http'));
    // Off the request path: rotate and the rotation check bundle their one SDK client; the audit requires the
    // runtime's four (config/esbuild-aws-sdk.js).
    for (const name of ['rotate', 'scheduled']) {
      assert.deepEqual(bundles.get(name)!.externals, [], `${name} carries the Secrets Manager client it calls`);
      assert.ok(has(bundles.get(name)!, 'node_modules/@aws-sdk/client-secrets-manager/dist-es/'), name);
    }
    assert.ok(bundles.get('audit')!.externals.includes('@aws-sdk/client-iam'), "the audit keeps the runtime's SDK");
  });

  it('keeps the audit, and its YAML parser, out of every function but the audit one', () => {
    for (const b of bundles.values()) {
      if (b.name === 'audit') continue;
      assert.equal(has(b, 'src/audit/'), false, b.name);
    }
    assert.equal(has(bundles.get('audit')!, 'node_modules/yaml/'), false, 'the live audit reads no files');
  });
});
