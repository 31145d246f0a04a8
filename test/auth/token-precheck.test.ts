// The cheap structural checks before any key lookup: the algorithm allow-list and the duplicate-member scan (attack
// tokens through the whole authorizer are in test/attacks/tokens.json).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { precheckToken, topLevelKeys } from '../../src/auth/token-precheck';
import { TokenError } from '../../src/errors';
import { b64url, nowSeconds } from '../support/tokens';

const tokenWith = (header: Record<string, unknown>) =>
  `${b64url({ typ: 'JWT', kid: 'k1', ...header })}.${b64url({ iss: 'https://idp.example.com', exp: nowSeconds() + 300 })}.c2ln`;

describe('Function: precheckToken', () => {
  it('lets every asymmetric algorithm through to signature checks', () => {
    for (const alg of ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'EdDSA']) {
      assert.equal(precheckToken(tokenWith({ alg }), 8192).header.alg, alg);
    }
  });

  it('refuses none, HMAC, lookalike and non-string algorithms before any key lookup', () => {
    for (const alg of ['none', 'HS256', 'HS512', 'rs256', 'RS256 ', 'PS256', '', ['RS256'], null, 256]) {
      assert.throws(
        () => precheckToken(tokenWith({ alg }), 8192),
        (err: unknown) => err instanceof TokenError && err.code === 'token_alg_not_allowed',
        JSON.stringify(alg),
      );
    }
  });
});

describe('Function: topLevelKeys', () => {
  // Member values of every JSON kind, nested: strings in them that spell member names are values, not members.
  const jsonObject = fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 });

  it('names the top-level members of any JSON object text, in order, whatever their values hold', () => {
    fc.assert(
      fc.property(jsonObject, (obj) => {
        assert.deepEqual(topLevelKeys(JSON.stringify(obj)), Object.keys(obj));
        assert.deepEqual(topLevelKeys(JSON.stringify(obj, null, 2)), Object.keys(obj));
      }),
    );
  });

  it('finds a repeated member wherever it follows, also spelled with JSON escapes', () => {
    fc.assert(
      fc.property(
        jsonObject.filter((o) => Object.keys(o).length > 0),
        fc.nat(),
        fc.jsonValue({ maxDepth: 2 }),
        (obj, pick, value) => {
          const keys = Object.keys(obj);
          const name = keys[pick % keys.length]!;
          const escaped = JSON.stringify(name).replace(/[a-z]/, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
          for (const repeat of [JSON.stringify(name), escaped]) {
            const text = `${JSON.stringify(obj).slice(0, -1)},${repeat}:${JSON.stringify(value)}}`;
            assert.equal(topLevelKeys(text), undefined, text);
          }
        },
      ),
    );
  });
});
