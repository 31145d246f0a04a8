// identityFromClaims: list claims are kept exactly as the token carries them, or refused; never re-split.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { identityFromClaims, isScopeToken, MAX_CLAIM_ITEMS } from '../../src/auth/identity';
import { parseIssuers } from '../../src/config/issuers';
import { MeshgateError } from '../../src/errors';

const [cfg] = parseIssuers([{ issuer: 'https://idp.example.com/', audience: ['meshgate'] }], { allowLoopbackHttp: false });
const identity = (claims: Record<string, unknown>) =>
  identityFromClaims(cfg!, { iss: 'https://idp.example.com/', sub: 'u1', exp: 2e9, ...claims });
const codeOf = (claims: Record<string, unknown>): string => {
  try {
    identity(claims);
    return 'none';
  } catch (err) {
    return err instanceof MeshgateError ? err.code : 'thrown';
  }
};

describe('Function: identityFromClaims', () => {
  it('keeps group names exactly: commas, spaces and JSON-looking values stay one group each', () => {
    const groups = ['CN=Admins,OU=Groups,DC=example,DC=com', 'plain', 'a b', '["admin"]', 'marketing,admin'];
    assert.deepEqual(identity({ groups }).groups, groups);
  });
  it('reads a string groups claim as one group, never split on commas or spaces', () => {
    assert.deepEqual(identity({ groups: 'CN=Admins,OU=Groups,DC=example,DC=com' }).groups, ['CN=Admins,OU=Groups,DC=example,DC=com']);
    assert.deepEqual(identity({ groups: 'staff admin' }).groups, ['staff admin']);
  });
  it('refuses empty group names, lone surrogates, non-strings and oversize lists', () => {
    for (const groups of [
      ['a', ''],
      [''],
      ['a\ud800'],
      [1],
      [['admin']],
      [{ length: 1 }],
      { admin: true },
      Array.from({ length: 257 }, (_, i) => `g${i}`),
    ]) {
      assert.equal(codeOf({ groups }), 'token_claim_invalid', JSON.stringify(groups).slice(0, 40));
    }
  });
  it('splits the `scope` string on spaces (its defined delimiter) and keeps `scp` list items whole', () => {
    assert.deepEqual(identity({ scope: ' orders:read  orders:write ' }).scopes, ['orders:read', 'orders:write']);
    assert.deepEqual(identity({ scp: ['orders:read', 'https://api.example.com/x.write'] }).scopes, [
      'orders:read',
      'https://api.example.com/x.write',
    ]);
    assert.deepEqual(identity({ scp: 'orders:read orders:write' }).scopes, ['orders:read', 'orders:write']);
  });
  it('refuses a scope with whitespace or a control character with token_scope_invalid, never splitting it', () => {
    for (const claims of [
      { scp: ['other:read orders:read'] },
      { scp: ['a\tb'] },
      { scp: ['a\u00a0b'] },
      { scp: ['a\u2028b'] },
      { scp: [''] },
      { scp: [7] },
      { scp: [['orders:read']] },
      { scp: [{ length: 1 }] },
      { scope: 'a\tb' },
      { scope: 'a\nb' },
      { scope: 'a\u0000' },
    ]) {
      assert.equal(codeOf(claims), 'token_scope_invalid', JSON.stringify(claims));
    }
  });
  it('refuses a subject, tenant or client id with a lone surrogate', () => {
    assert.equal(codeOf({ sub: 'x\udc00' }), 'token_claim_invalid');
    assert.equal(codeOf({ client_id: '\ud800' }), 'token_claim_invalid');
  });

  it('reads a null tenant or client id claim as absent, as JSON null means no value; other non-strings are refused', () => {
    const [withTenant] = parseIssuers([{ issuer: 'https://idp.example.com/', audience: ['meshgate'], claims: { tenant: 'org' } }], {
      allowLoopbackHttp: false,
    });
    const tenantOf = (org: null | string | number) =>
      identityFromClaims(withTenant!, { iss: 'https://idp.example.com/', sub: 'u1', exp: 2e9, org }).tenant;
    assert.equal(tenantOf(null), undefined);
    assert.equal(tenantOf('acme'), 'acme');
    assert.throws(
      () => tenantOf(7),
      (err: unknown) => err instanceof MeshgateError && err.code === 'token_claim_invalid',
    );
    assert.equal(identity({ client_id: null, azp: 'web' }).clientId, 'web');
    assert.equal(identity({ client_id: null }).clientId, undefined);
  });

  it('accepts lists of up to 256 groups or scopes, and refuses 257', () => {
    const list = (n: number, prefix: string): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
    assert.equal(MAX_CLAIM_ITEMS, 256);
    assert.equal(identity({ groups: list(256, 'g') }).groups.length, 256);
    assert.equal(identity({ scp: list(256, 's') }).scopes.length, 256);
    assert.equal(identity({ scope: list(256, 's').join(' ') }).scopes.length, 256);
    assert.equal(codeOf({ scp: list(257, 's') }), 'token_claim_invalid');
    assert.equal(codeOf({ scope: list(257, 's').join(' ') }), 'token_claim_invalid');
  });
  it('reads absent or null list claims as empty, prefers `scope` over `scp`, and refuses other shapes', () => {
    const none = identity({});
    assert.deepEqual([none.groups, none.scopes], [[], []]);
    assert.deepEqual(identity({ groups: null, scope: null }).groups, []);
    assert.deepEqual(identity({ scope: null, scp: ['a'] }).scopes, []);
    assert.deepEqual(identity({ scope: 'a', scp: ['b'] }).scopes, ['a']);
    assert.deepEqual(identity({ scope: '' }).scopes, []);
    for (const claims of [{ scp: 7 }, { scp: { a: 1 } }, { scope: true }])
      assert.equal(codeOf(claims), 'token_claim_invalid', JSON.stringify(claims));
  });
  it('needs a non-empty string subject, and carries iss and exp through', () => {
    for (const sub of [undefined, null, '', 7, ['u']]) assert.equal(codeOf({ sub }), 'token_claim_invalid', String(sub));
    const id = identity({ exp: 1234 });
    assert.deepEqual([id.sub, id.iss, id.exp], ['u1', 'https://idp.example.com/', 1234]);
    assert.equal(codeOf({ tid: '' }), 'none');
  });
  it('is a service token when issued to a client for itself, else a user token', () => {
    const cases: Array<[Record<string, unknown>, 'service' | 'user']> = [
      [{ sub: 'c1', client_id: 'c1' }, 'service'],
      [{ sub: 'c1', azp: 'c1' }, 'service'],
      [{ sub: 'c1', cid: 'c1' }, 'service'],
      [{ sub: 'abc@clients' }, 'service'],
      [{ sub: 'u1', gty: 'client-credentials' }, 'service'],
      [{ sub: 'u1', client_id: 'c1' }, 'user'],
      [{ sub: 'u1', gty: 'password' }, 'user'],
      [{ sub: 'abc@clients.example' }, 'user'],
      [{ sub: 'u1' }, 'user'],
    ];
    for (const [claims, type] of cases) assert.equal(identity(claims).type, type, JSON.stringify(claims));
  });
  it('takes the client id from the configured claim, then azp, then cid; aud only for Cognito id tokens', () => {
    assert.equal(identity({ client_id: 'a', azp: 'b', cid: 'c' }).clientId, 'a');
    assert.equal(identity({ azp: 'b', cid: 'c' }).clientId, 'b');
    assert.equal(identity({ cid: 'c' }).clientId, 'c');
    assert.equal(identity({ aud: 'meshgate' }).clientId, undefined);
    const [idTokens, accessTokens] = parseIssuers(
      [
        { issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_X', clientIds: ['c1'], tokenUse: 'id' },
        { issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Y', clientIds: ['c1'], tokenUse: 'access' },
      ],
      { allowLoopbackHttp: false },
    );
    const payload = { iss: 'x', sub: 'u1', exp: 2e9, aud: 'c1', 'cognito:groups': ['admin'] };
    assert.equal(identityFromClaims(idTokens!, payload).clientId, 'c1');
    assert.deepEqual(identityFromClaims(idTokens!, payload).groups, ['admin']);
    assert.equal(identityFromClaims(accessTokens!, payload).clientId, undefined);
  });
  it('reads the tenant only from a configured tenant claim', () => {
    assert.equal(identity({ tid: 't1' }).tenant, undefined);
    // With no tenant claim configured, no claim name at all (not even one spelled "undefined") sets it.
    assert.equal(identity({ undefined: 't1', '': 't1' }).tenant, undefined);
    const [withTenant] = parseIssuers([{ issuer: 'https://idp.example.com/', audience: ['meshgate'], claims: { tenant: 'tid' } }], {
      allowLoopbackHttp: false,
    });
    assert.equal(identityFromClaims(withTenant!, { iss: 'x', sub: 'u1', exp: 2e9, tid: 't1' }).tenant, 't1');
    assert.equal(identityFromClaims(withTenant!, { iss: 'x', sub: 'u1', exp: 2e9 }).tenant, undefined);
  });
  it('isScopeToken: one RFC 6749 scope token, no whitespace or control character', () => {
    for (const t of ['orders:read', 'https://api.example.com/x.write', '!#[]~', 'é']) assert.equal(isScopeToken(t), true, t);
    for (const t of ['', ' ', 'a b', 'a\tb', 'a\u0000', 'a\u007f', 'a\u001f', 'a\u00a0b', 'a\u3000b'])
      assert.equal(isScopeToken(t), false, JSON.stringify(t));
  });
});
