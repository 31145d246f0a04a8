import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020';

interface EventsModule {
  toDraft4(schema: unknown): Record<string, unknown>;
  requestModel(name: string): { model?: { schema: Record<string, unknown>; name: string }; skipped?: string };
  ingressEvents(opts: { resolveVariable: (name: string) => Promise<unknown> }): Promise<{ http: Record<string, unknown> }[]>;
  Unconvertible: new (message: string) => Error;
}
const events = require('../../config/serverless-events.js') as EventsModule;

describe('API Gateway request models (config/serverless-events.js)', () => {
  it('adds a draft 4 model to REST routes with a bodySchema, and keeps the authorizer wiring', async () => {
    const list = await events.ingressEvents({ resolveVariable: async () => '300' });
    const post = list.find((e) => e.http.path === '/orders' && e.http.method === 'post');
    const request = post?.http.request as { schemas: Record<string, { name: string; schema: Record<string, unknown> }> };
    assert.equal(request.schemas['application/json']?.name, 'OrderCreate');
    assert.equal(request.schemas['application/json']?.schema.$schema, 'http://json-schema.org/draft-04/schema#');
    assert.equal(request.schemas['application/json']?.schema.$id, undefined);
    assert.deepEqual(post?.http.authorizer, {
      name: 'authorizer',
      type: 'request',
      identitySource: 'method.request.header.Authorization',
      resultTtlInSeconds: 300,
    });
    assert.equal(list.find((e) => e.http.path === '/iam/whoami')?.http.authorizer, 'aws_iam');
    assert.equal(list.filter((e) => e.http.request !== undefined).length, 1);
  });

  it('converts to a draft 4 schema that accepts and rejects exactly what the 2020-12 schema does', () => {
    const source = {
      type: 'object',
      additionalProperties: false,
      required: ['kind'],
      properties: {
        kind: { const: 'a' },
        n: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 10 },
        tags: { type: 'array', items: { type: 'string' }, uniqueItems: true },
      },
    };
    const draft4 = events.toDraft4(source);
    // Ajv 8 does not speak draft 4's boolean exclusiveMinimum; check that form directly, the rest by behaviour.
    assert.deepEqual((draft4.properties as Record<string, unknown>).n, {
      type: 'number',
      minimum: 0,
      exclusiveMinimum: true,
      maximum: 10,
      exclusiveMaximum: true,
    });
    const v2020 = new Ajv2020({ strict: false }).compile(source);
    for (const sample of [
      { kind: 'a' },
      { kind: 'b' },
      { kind: 'a', extra: 1 },
      {},
      { kind: 'a', tags: ['x', 'x'] },
      { kind: 'a', tags: ['x'] },
    ]) {
      const probe = { ...draft4, properties: { ...(draft4.properties as object), n: {} } };
      assert.equal(new Ajv({ strict: false }).validate(probe, sample), v2020(sample), JSON.stringify(sample));
    }
  });

  it('skips the model when draft 4 cannot say the same thing', () => {
    for (const schema of [
      { type: 'object', properties: { a: { $ref: '#/$defs/x' } }, $defs: { x: { type: 'string' } } },
      { type: 'object', dependentRequired: { a: ['b'] } },
      { type: 'array', prefixItems: [{ type: 'string' }] },
      { type: 'object', unevaluatedProperties: false },
      { if: { type: 'string' }, then: { minLength: 1 } },
      { type: 'string', format: 'uuid' },
      { type: 'number', minimum: 1, exclusiveMinimum: 2 },
    ]) {
      assert.throws(() => events.toDraft4(schema), events.Unconvertible, JSON.stringify(schema));
    }
  });
});
