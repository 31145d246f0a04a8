// identityFromClaims: list claims are kept exactly as the token carries them, or refused; never re-split.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { identityFromClaims } from '../../src/auth/identity';
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
    for (const groups of [['a', ''], [''], ['a\ud800'], [1], { admin: true }, Array.from({ length: 257 }, (_, i) => `g${i}`)]) {
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
});
