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
    assert.deepEqual([...bundles.keys()], ['authorizer', 'ingress', 'jwks', 'rotate', 'scheduled']);
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

  it('keeps the audit, and its YAML parser, out of every function but the scheduled one', () => {
    for (const b of bundles.values()) {
      if (b.name === 'scheduled') continue;
      assert.equal(has(b, 'src/audit/'), false, b.name);
    }
    assert.equal(has(bundles.get('scheduled')!, 'node_modules/yaml/'), false, 'the live audit reads no files');
  });
});
