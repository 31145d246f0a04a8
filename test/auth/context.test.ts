// The authorizer context: what the authorizer flattens an identity into, and what the ingress reads back from it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fromAuthorizerContext, toAuthorizerContext } from '../../src/auth/context';
import { isScopeToken, MAX_CLAIM_ITEMS, type VerifiedIdentity } from '../../src/auth/identity';
import { MeshgateError } from '../../src/errors';

const ALICE: VerifiedIdentity = {
  sub: 'alice',
  iss: 'https://idp.example.com/',
  type: 'user',
  scopes: ['orders:read', 'orders:write'],
  groups: ['CN=Admins,OU=Groups,DC=example,DC=com', 'staff admin'],
  tenant: 't-1',
  clientId: 'web',
  exp: 1_900_000_000,
};

/** A context as the authorizer writes it, with some fields replaced or removed (undefined). */
function context(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const ctx: Record<string, unknown> = { ...toAuthorizerContext(ALICE), ...overrides };
  for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete ctx[k];
  return ctx;
}

/** REST API Gateway delivers every context value as a string. */
const asRest = (ctx: object): Record<string, string> => Object.fromEntries(Object.entries(ctx).map(([k, v]) => [k, String(v)]));

/** The refusal's message, or 'read' when the context was read back. Any other exception fails the test. */
function refusal(ctx: Record<string, unknown>): string {
  try {
    fromAuthorizerContext(ctx);
    return 'read';
  } catch (err) {
    assert.ok(err instanceof MeshgateError, `not a MeshgateError: ${String(err)}`);
    assert.equal(err.code, 'identity_missing');
    return err.message;
  }
}

const identityArb: fc.Arbitrary<VerifiedIdentity> = fc.record({
  sub: fc.string({ minLength: 1, unit: 'grapheme' }),
  iss: fc.webUrl(),
  type: fc.constantFrom('user' as const, 'service' as const),
  scopes: fc.array(fc.string({ minLength: 1, unit: 'grapheme' }).filter(isScopeToken), { maxLength: 5 }),
  groups: fc.array(fc.string({ minLength: 1, unit: 'grapheme' }), { maxLength: 5 }),
  tenant: fc.option(fc.string({ minLength: 1, unit: 'grapheme' }), { nil: undefined }),
  clientId: fc.option(fc.string({ minLength: 1, unit: 'grapheme' }), { nil: undefined }),
  exp: fc.integer({ min: 0, max: 2 ** 40 }),
});

describe('Function: toAuthorizerContext / fromAuthorizerContext', () => {
  it('reads back any user or service identity exactly, as HTTP API keeps the values and as REST stringifies them (property)', () => {
    fc.assert(
      fc.property(identityArb, (generated) => {
        const identity = { ...generated }; // fast-check's records have no prototype; identities are plain objects
        const ctx = toAuthorizerContext(identity);
        for (const value of Object.values(ctx)) assert.ok(['string', 'number'].includes(typeof value), 'flat values only');
        assert.deepEqual(fromAuthorizerContext({ ...ctx }), identity);
        assert.deepEqual(fromAuthorizerContext(asRest(ctx)), identity);
      }),
      { numRuns: 100 },
    );
  });

  it('writes absent tenant and client id as empty strings, and reads empty strings back as absent', () => {
    const ctx = toAuthorizerContext({ ...ALICE, tenant: undefined, clientId: undefined });
    assert.equal(ctx.tenant, '');
    assert.equal(ctx.clientId, '');
    const read = fromAuthorizerContext({ ...ctx });
    assert.equal(read?.tenant, undefined);
    assert.equal(read?.clientId, undefined);
  });

  it('reads strings, numbers and booleans as API Gateway may deliver them, and ignores any other value', () => {
    const cases: Array<[unknown, string | undefined]> = [
      ['acme', 'acme'],
      [7, '7'],
      [0, '0'],
      [true, 'true'],
      [false, 'false'],
      ['', undefined],
      [null, undefined],
      [{ id: 'acme' }, undefined],
      [['acme'], undefined],
      [undefined, undefined],
    ];
    for (const [value, expected] of cases) {
      const read = fromAuthorizerContext(context({ tenant: value, clientId: value }));
      assert.equal(read?.tenant, expected, `tenant ${JSON.stringify(value)}`);
      assert.equal(read?.clientId, expected, `clientId ${JSON.stringify(value)}`);
    }
    assert.equal(fromAuthorizerContext(context({ sub: 42 }))?.sub, '42');
    assert.equal(fromAuthorizerContext(context({ iss: true }))?.iss, 'true');
  });

  it('returns undefined when there is no context, no subject or no issuer: the caller did not pass the authorizer', () => {
    for (const ctx of [null, undefined, {}]) assert.equal(fromAuthorizerContext(ctx), undefined, JSON.stringify(ctx));
    for (const missing of [undefined, '', null, { s: 1 }]) {
      assert.equal(fromAuthorizerContext(context({ sub: missing })), undefined, `sub ${JSON.stringify(missing)}`);
      assert.equal(fromAuthorizerContext(context({ iss: missing })), undefined, `iss ${JSON.stringify(missing)}`);
    }
    assert.equal(fromAuthorizerContext(context({ sub: '', iss: '' })), undefined);
  });

  it('reads type service as a service and anything else (user, iam, absent, junk) as a user', () => {
    const cases: Array<[unknown, string]> = [
      ['service', 'service'],
      ['user', 'user'],
      ['iam', 'user'],
      ['Service', 'user'],
      ['', 'user'],
      [undefined, 'user'],
      [1, 'user'],
    ];
    for (const [type, expected] of cases) assert.equal(fromAuthorizerContext(context({ type }))?.type, expected, String(type));
  });

  it('reads exp as a number from a number or a numeric string, and as 0 when it is absent or not finite', () => {
    const cases: Array<[unknown, number]> = [
      [1_900_000_000, 1_900_000_000],
      ['1900000000', 1_900_000_000],
      ['12.5', 12.5],
      [undefined, 0],
      ['', 0],
      ['soon', 0],
      ['Infinity', 0],
      [Number.NEGATIVE_INFINITY, 0],
      [Number.NaN, 0],
      [{ exp: 1 }, 0],
    ];
    for (const [exp, expected] of cases) assert.equal(fromAuthorizerContext(context({ exp }))?.exp, expected, String(exp));
  });

  it('returns a frozen identity with frozen lists', () => {
    const read = fromAuthorizerContext(context());
    assert.ok(Object.isFrozen(read) && Object.isFrozen(read?.scopes) && Object.isFrozen(read?.groups));
  });
});

describe('Function: fromAuthorizerContext refuses lists not in the authorizer’s own form (identity_missing)', () => {
  const many = (n: number): string => JSON.stringify(Array.from({ length: n }, (_, i) => `s${i}`));

  for (const name of ['scopesJson', 'groupsJson'] as const) {
    it(`${name}: a JSON array text of non-empty, well-formed strings, at most ${MAX_CLAIM_ITEMS} of them`, () => {
      const cases: Array<[unknown, RegExp]> = [
        [undefined, /must be a JSON array text/],
        [7, /must be a JSON array text/],
        // An array object (serverless offline sends those; API Gateway never does), even one whose text is JSON.
        [['["orders:read"]'], /must be a JSON array text/],
        ['orders:read', /is not JSON/],
        ['orders:read,orders:write', /is not JSON/],
        ['', /is not JSON/],
        ['"orders:read"', /must be a JSON array of at most 256 strings/],
        ['{"0":"orders:read"}', /must be a JSON array of at most 256 strings/],
        ['null', /must be a JSON array of at most 256 strings/],
        [many(MAX_CLAIM_ITEMS + 1), /must be a JSON array of at most 256 strings/],
        ['[""]', /must hold non-empty strings only/],
        ['["a",""]', /must hold non-empty strings only/],
        ['[1]', /must hold non-empty strings only/],
        ['[null]', /must hold non-empty strings only/],
        ['[["a"]]', /must hold non-empty strings only/],
        ['["a\\ud800"]', /must hold non-empty strings only/],
        ['["\\udc00b"]', /must hold non-empty strings only/],
      ];
      for (const [value, message] of cases) {
        assert.match(refusal(context({ [name]: value })), message, `${name} ${JSON.stringify(value)?.slice(0, 40)}`);
      }
    });

    it(`${name}: reads exactly ${MAX_CLAIM_ITEMS} items, and an empty list`, () => {
      assert.equal(
        fromAuthorizerContext(context({ [name]: many(MAX_CLAIM_ITEMS) }))?.[name === 'scopesJson' ? 'scopes' : 'groups'].length,
        256,
      );
      assert.deepEqual(fromAuthorizerContext(context({ [name]: '[]' }))?.[name === 'scopesJson' ? 'scopes' : 'groups'], []);
    });
  }

  it('refuses a scope holding whitespace or a control character, and keeps such group names', () => {
    for (const scope of ['orders:read orders:write', 'a\tb', 'a\nb', 'a\u0000b', ' a']) {
      const json = JSON.stringify(['ok', scope]);
      assert.match(refusal(context({ scopesJson: json })), /a scope holds whitespace/, JSON.stringify(scope));
      assert.deepEqual(fromAuthorizerContext(context({ groupsJson: json }))?.groups, ['ok', scope]);
    }
  });
});
