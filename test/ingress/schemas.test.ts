import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import { bodyValidator, queryValidator, schemaProblems } from '../../src/ingress/schemas';

describe('generated validators', () => {
  it('are up to date with config/schemas (run npm run build:schemas when this fails)', () => {
    const run = spawnSync(process.execPath, ['scripts/build-schemas.mjs', '--check'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
  });
  it('exist for every schema file: -query schemas as query validators, the rest as body validators', () => {
    for (const file of readdirSync('config/schemas').filter((f) => f.endsWith('.json'))) {
      const name = file.slice(0, -5);
      const query = name.endsWith('-query');
      assert.equal(typeof (query ? queryValidator(name) : bodyValidator(name)), 'function', name);
      assert.equal(query ? bodyValidator(name) : queryValidator(name), undefined, name);
    }
  });
  it('do not resolve inherited names such as toString or __proto__', () => {
    assert.equal(bodyValidator('toString'), undefined);
    assert.equal(bodyValidator('__proto__'), undefined);
  });
});

describe('boundIntegers (scripts/build-schemas.mjs)', () => {
  it('bounds integer schemas to the safe range, keeps tighter bounds, leaves number alone', async () => {
    const script: string = '../../scripts/build-schemas.mjs';
    const { boundIntegers } = (await import(script)) as { boundIntegers: (s: unknown) => Record<string, unknown> };
    const schema = boundIntegers({
      type: 'object',
      properties: {
        id: { type: 'integer' },
        small: { type: 'integer', maximum: 10 },
        price: { type: 'number' },
        list: { type: 'array', items: { type: ['integer', 'null'] } },
      },
    });
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
    const validate = ajv.compile(schema);
    assert.equal(validate({ id: 2 ** 53 + 2 }), false);
    assert.equal(validate({ id: -(2 ** 53 + 2) }), false);
    assert.equal(validate({ id: Number.MAX_SAFE_INTEGER }), true);
    assert.equal(validate({ small: 11 }), false);
    assert.equal(validate({ price: 1e300 }), true);
    assert.equal(validate({ list: [null, 2 ** 60] }), false);
  });
});

describe('schemaProblems', () => {
  it('escapes property names as RFC 6901 pointers and never echoes values', () => {
    const items = schemaProblems(
      [
        {
          instancePath: '/a~1b',
          keyword: 'additionalProperties',
          params: { additionalProperty: 'x/y~z' },
          message: 'must NOT have additional properties',
        },
      ],
      'body',
    );
    assert.deepEqual(items, [{ pointer: '#/a~1b/x~1y~0z', detail: 'must NOT have additional properties' }]);
  });
  it('names query parameters, unescaped', () => {
    assert.deepEqual(schemaProblems([{ instancePath: '/a~1b', keyword: 'type', params: {}, message: 'must be integer' }], 'query'), [
      { parameter: 'a/b', detail: 'must be integer' },
    ]);
  });
});
