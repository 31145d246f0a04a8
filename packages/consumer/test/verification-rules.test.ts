// The verifier's pure rules one by one (claims, custody, JWS header, header reading, options, peer, request binding):
// each hostile or malformed input is data, and each ends in its own code and reason, never in a TypeError.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { fixture } from './support/fixture.js';
import { checkClaims, type ClaimExpectations } from '../src/claims.js';
import { delegatedCustody, directCustody } from '../src/custody.js';
import {
  ACCESS_TOKEN_TYPE,
  AssertionError,
  ConfigError,
  PREMINT_HEADER,
  TOKEN_EXCHANGE_GRANT_TYPE,
  bodyDigest,
  canonicalQuery,
  latticeCallerOf,
  queryString,
  requestHash,
  requestTargetHash,
  spiffeIdOf,
  type AssertionVerifierOptions,
  type HeadersLike,
} from '../src/index.js';
import { decodeJsonObject, decomposeUnverifiedJws } from '../src/jws.js';
import { resolveOptions } from '../src/options.js';
import { readUntrustedAssertion } from '../src/untrusted-header.js';
import { b64 } from './support/keys.js';

/** Asserts a synchronous check throws an AssertionError with this code and reason. */
function throwsWith(fn: () => unknown, code: string, reason: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof AssertionError, `expected an AssertionError, got ${String(err)}`);
    assert.deepEqual({ code: err.code, reason: err.reason }, { code, reason });
    return true;
  });
}

/** Asserts option validation throws a ConfigError naming this option. */
function configErrorAt(options: unknown, path: string): void {
  assert.throws(
    () => resolveOptions(options as AssertionVerifierOptions),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
      assert.equal(err.path, path);
      return true;
    },
  );
}

const NOW = 1_800_000_000;
const REQ = requestHash('GET', '/orders/42');
const expected: ClaimExpectations = {
  issuer: 'https://meshgate.example.com',
  audiences: ['orders'],
  clockSkewSeconds: 30,
  nowSeconds: NOW,
  requestHash: REQ,
  bodyDigest: undefined,
};
const validClaims = (overrides: Record<string, unknown> = {}): Record<string, unknown> => {
  const all: Record<string, unknown> = {
    iss: expected.issuer,
    aud: 'orders',
    sub: 'user-1',
    type: 'user',
    src_iss: 'https://idp.example.com/',
    jti: 'jti-1',
    iat: NOW,
    exp: NOW + 60,
    req: REQ,
    body_sha256: bodyDigest(undefined),
    ...overrides,
  };
  for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete all[k];
  return all;
};

describe('Consumer rules: claims', () => {
  it('reads an identity with only the required claims: no scopes, no groups, no tenant or client', () => {
    const caller = checkClaims(validClaims(), expected);
    assert.deepEqual(caller.scopes, []);
    assert.deepEqual(caller.groups, []);
    assert.equal(caller.tenant, undefined);
    assert.equal(caller.clientId, undefined);
  });

  it('accepts each identity type (user, service, iam) and refuses any other', () => {
    for (const type of ['user', 'service', 'iam']) assert.equal(checkClaims(validClaims({ type }), expected).type, type);
    for (const type of ['', 'admin', 'IAM'])
      throwsWith(() => checkClaims(validClaims({ type }), expected), 'assertion_invalid', 'claim_invalid');
  });

  it('reads an empty or null optional claim as absent, and refuses a non-string one', () => {
    const caller = checkClaims(validClaims({ tenant: '', client_id: null, scope: '' }), expected);
    assert.equal(caller.tenant, undefined);
    assert.equal(caller.clientId, undefined);
    assert.deepEqual(caller.scopes, []);
    for (const tenant of [5, ['acme'], { id: 'acme' }, true])
      throwsWith(() => checkClaims(validClaims({ tenant }), expected), 'assertion_invalid', 'claim_invalid');
  });

  it('splits scope on spaces and drops the empty words of repeated spaces', () => {
    assert.deepEqual(checkClaims(validClaims({ scope: ' a  b ' }), expected).scopes, ['a', 'b']);
  });

  it('takes up to 256 groups, all strings, and refuses a longer or mixed list', () => {
    const many = Array.from({ length: 256 }, (_, i) => `g${i}`);
    assert.equal(checkClaims(validClaims({ groups: many }), expected).groups.length, 256);
    for (const groups of [[...many, 'g256'], ['admin', 5], 'admin', [null]])
      throwsWith(() => checkClaims(validClaims({ groups }), expected), 'assertion_invalid', 'claim_invalid');
  });

  it('refuses times that are not finite numbers, each with the missing claim named', () => {
    throwsWith(() => checkClaims(validClaims({ exp: Infinity }), expected), 'assertion_invalid', 'exp_missing');
    throwsWith(() => checkClaims(validClaims({ iat: -Infinity }), expected), 'assertion_invalid', 'iat_missing');
    throwsWith(() => checkClaims(validClaims({ exp: String(NOW + 60) }), expected), 'assertion_invalid', 'exp_missing');
    throwsWith(() => checkClaims(validClaims({ nbf: NaN }), expected), 'assertion_invalid', 'nbf_missing');
  });

  it('matches aud as a string or as a list holding one of the audiences, and nothing else', () => {
    assert.equal(checkClaims(validClaims({ aud: [5, 'billing', 'orders'] }), expected).sub, 'user-1');
    assert.equal(checkClaims(validClaims({ aud: 'orders-v2' }), { ...expected, audiences: ['orders', 'orders-v2'] }).sub, 'user-1');
    for (const aud of [undefined, null, 5, { orders: true }, ['billing'], [], [['orders']], 'order'])
      throwsWith(() => checkClaims(validClaims({ aud }), expected), 'assertion_audience_mismatch', 'aud_mismatch');
  });
});

describe('Consumer rules: chain of custody', () => {
  const accepts = { audiences: ['payments'], acceptActors: ['orders', 'checkout'] };
  const delegated = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    act: { sub: 'orders', act: { sub: 'checkout' } },
    act_sub: 'orders',
    chain: ['checkout', 'orders'],
    txn: 'txn-1',
    ...overrides,
  });

  it('a direct call takes txn when present and a non-empty string, falling back to jti without one', () => {
    assert.equal(directCustody({ txn: 'txn-9' }, 'jti-1').txn, 'txn-9');
    assert.equal(directCustody({}, 'jti-1').txn, 'jti-1');
    for (const txn of ['', 5, null, ['t']]) throwsWith(() => directCustody({ txn }, 'jti-1'), 'assertion_invalid', 'txn_invalid');
  });

  it('reads a consistent two-actor chain, first service first', () => {
    assert.deepEqual(delegatedCustody(delegated(), accepts), { txn: 'txn-1', chain: ['checkout', 'orders'], actor: 'orders' });
  });

  it('refuses an act that is not a nest of objects with a string sub', () => {
    for (const act of [null, 'orders', 5, [{ sub: 'orders' }], { sub: 5 }, { sub: '' }, { sub: 'orders', act: null }])
      throwsWith(
        () => delegatedCustody(delegated({ act, act_sub: 'orders', chain: ['orders'] }), accepts),
        'assertion_invalid',
        'act_invalid',
      );
  });

  it('refuses a chain that agrees with act on one actor but not the other', () => {
    for (const chain of [
      ['checkout', 'billing'],
      ['billing', 'orders'],
      ['orders', 'checkout'],
    ])
      throwsWith(() => delegatedCustody(delegated({ chain }), accepts), 'assertion_invalid', 'chain_mismatch');
  });

  it('refuses a delegated assertion without a non-empty txn', () => {
    for (const txn of [undefined, '', 5])
      throwsWith(() => delegatedCustody(delegated({ txn }), accepts), 'assertion_invalid', 'txn_missing');
  });

  it('refuses every actor when the service accepts none', () => {
    throwsWith(
      () => delegatedCustody(delegated(), { audiences: ['payments'], acceptActors: undefined }),
      'assertion_actor_refused',
      'actor_not_accepted',
    );
  });
});

describe('Consumer rules: JWS decomposition', () => {
  const sig = Buffer.alloc(64, 7).toString('base64url');
  const jws = (header: unknown, signature = sig): string => `${b64(header)}.${b64({ sub: 'x' })}.${signature}`;
  const header = { alg: 'ES256', typ: 'identity+jwt', kid: 'k1' };

  it('reads both spellings of each typ, delegated or not, and names only ES256 and the kid', () => {
    for (const [typ, delegated] of [
      ['identity+jwt', false],
      ['application/identity+jwt', false],
      ['Application/Identity+JWT', false],
      ['delegated-identity+jwt', true],
      ['application/delegated-identity+jwt', true],
    ] as const) {
      const parts = decomposeUnverifiedJws(jws({ ...header, typ }));
      assert.equal(parts.delegated, delegated, typ);
      assert.deepEqual(parts.unverifiedHeader, { alg: 'ES256', kid: 'k1' });
    }
  });

  it('refuses anything around the three parts', () => {
    const token = jws(header);
    for (const bad of [`x.${token}`, `${token}.x`, ` ${token}`, `${token}\n`, token.replace(/\.[^.]*$/, '')])
      throwsWith(() => decomposeUnverifiedJws(bad), 'assertion_invalid', 'malformed');
  });

  it('refuses a header that is not a JSON object, saying which way it is not', () => {
    for (const value of ['{"alg":', '5', 'null', '[]', '"ES256"'])
      throwsWith(() => decomposeUnverifiedJws(jws(value)), 'assertion_invalid', 'malformed');
    assert.throws(() => decodeJsonObject(b64('{"alg":'), 'JWS header'), /JWS header is not base64url JSON/);
    assert.throws(() => decodeJsonObject(b64('null'), 'JWS header'), /JWS header is not a JSON object/);
  });

  it('refuses a header without alg, and never echoes more than 20 characters of a long one', () => {
    throwsWith(() => decomposeUnverifiedJws(jws({ typ: 'identity+jwt', kid: 'k1' })), 'assertion_invalid', 'alg_not_allowed');
    const long = 'A'.repeat(100);
    assert.throws(
      () => decomposeUnverifiedJws(jws({ ...header, alg: long })),
      (err: Error) => !err.message.includes('A'.repeat(20)) && err.message.includes('A'.repeat(19)),
    );
  });

  it('takes a kid of 1 to 128 characters', () => {
    assert.equal(decomposeUnverifiedJws(jws({ ...header, kid: 'k'.repeat(128) })).unverifiedHeader.kid.length, 128);
    for (const kid of ['', 'k'.repeat(129), 5])
      throwsWith(() => decomposeUnverifiedJws(jws({ ...header, kid })), 'assertion_invalid', 'kid_missing');
  });

  it('refuses a signature that is not 64 bytes before any key is looked up', () => {
    for (const length of [63, 65, 72])
      throwsWith(
        () => decomposeUnverifiedJws(jws(header, Buffer.alloc(length, 7).toString('base64url'))),
        'assertion_invalid',
        'signature_invalid',
      );
  });
});

describe('Consumer rules: reading the assertion header', () => {
  it('finds no header in absent, null or empty headers, nor in a Headers object without it', () => {
    for (const headers of [undefined, null, {}, { 'x-identity-assertion': undefined }, new Headers(), new Headers({ other: 'a' })])
      throwsWith(() => readUntrustedAssertion(headers as HeadersLike | undefined), 'assertion_missing', 'header_missing');
  });

  it('trims the value, and an all-blank value is empty', () => {
    assert.equal(readUntrustedAssertion({ 'X-Identity-Assertion': '  a.b.c \t' }), 'a.b.c');
    assert.equal(readUntrustedAssertion(new Headers({ 'x-identity-assertion': 'a.b.c' })), 'a.b.c');
    throwsWith(() => readUntrustedAssertion({ 'x-identity-assertion': '   ' }), 'assertion_missing', 'header_empty');
  });

  it('refuses two copies of the header', () => {
    throwsWith(() => readUntrustedAssertion({ 'x-identity-assertion': ['a.b.c', 'd.e.f'] }), 'assertion_invalid', 'header_duplicate');
    throwsWith(
      () => readUntrustedAssertion({ 'x-identity-assertion': 'a.b.c', 'X-IDENTITY-ASSERTION': 'd.e.f' }),
      'assertion_invalid',
      'header_duplicate',
    );
  });
});

describe('Consumer rules: options', () => {
  const base = {
    issuer: 'https://meshgate.example.com',
    audience: 'orders',
    jwksUri: 'https://meshgate.example.com/.well-known/jwks.json',
  };

  it('takes a list of audiences, and each option at its largest value', () => {
    const resolved = resolveOptions({
      ...base,
      audience: ['orders', 'orders-v2'],
      clockSkewSeconds: 300,
      jwksTimeoutMs: 60_000,
      jwksCacheMaxAgeMs: 86_400_000,
      jwksCooldownMs: 3_600_000,
      jwksMaxStaleMs: 86_400_000,
      jwksMaxBytes: 1_048_576,
    });
    assert.deepEqual(resolved.audiences, ['orders', 'orders-v2']);
    assert.equal(resolved.clockSkewSeconds, 300);
    assert.deepEqual(resolved.jwks, {
      timeoutMs: 60_000,
      cacheMaxAgeMs: 86_400_000,
      cooldownMs: 3_600_000,
      maxStaleMs: 86_400_000,
      maxBytes: 1_048_576,
    });
  });

  it('names each out-of-range option', () => {
    for (const [name, value] of [
      ['clockSkewSeconds', 301],
      ['jwksTimeoutMs', 60_001],
      ['jwksCacheMaxAgeMs', 86_400_001],
      ['jwksCooldownMs', 3_600_001],
      ['jwksMaxStaleMs', 86_400_001],
      ['jwksMaxBytes', 1_048_577],
    ] as const)
      configErrorAt({ ...base, [name]: value }, name);
  });

  it('refuses options that are not an object, and an issuer that is not a string', () => {
    for (const options of [null, undefined, 'https://meshgate.example.com', 5]) configErrorAt(options, 'options');
    for (const issuer of [5, '', ['https://meshgate.example.com']]) configErrorAt({ ...base, issuer }, 'issuer');
  });

  it('refuses an audience that is not a string or a list of non-empty strings', () => {
    for (const audience of [5, undefined, [], ['orders', ''], ['orders', 5], ['orders', ['x']], ['orders', { length: 1 }]])
      configErrorAt({ ...base, audience }, 'audience');
  });

  it('refuses a clock that is not a function', () => {
    configErrorAt({ ...base, now: 5 }, 'now');
    assert.equal(resolveOptions({ ...base, now: () => 42 }).now(), 42);
  });

  it('refuses acceptActors holding anything but non-empty strings', () => {
    for (const acceptActors of [[], ['orders', ''], ['orders', ['x']], ['orders', 5], 'orders'])
      configErrorAt({ ...base, acceptActors }, 'acceptActors');
  });

  it('takes peerAudience as a record of strings (even an empty one) and refuses anything else', () => {
    assert.equal(resolveOptions({ ...base, peerAudience: {} }).peerAudience?.('spiffe://x'), undefined);
    assert.equal(resolveOptions({ ...base, peerAudience: { a: 'orders' } }).peerAudience?.('a'), 'orders');
    for (const peerAudience of [5, null, 'orders', { a: 'orders', b: 5 }]) configErrorAt({ ...base, peerAudience }, 'peerAudience');
  });
});

describe('Consumer rules: the peer', () => {
  it('a direct call from meshgate has no actor to match against the peer, even without peerAudience', async () => {
    const f = await fixture();
    try {
      const identity = await f.verifier.verify({
        method: 'GET',
        path: '/orders/42',
        headers: { 'x-identity-assertion': f.sign() },
        peer: 'spiffe://cluster.local/ns/shop/sa/meshgate',
      });
      assert.equal(identity.actor, undefined);
    } finally {
      await f.close();
    }
  });

  const principal = 'arn:aws:sts::123456789012:assumed-role/orders/i-0abc';

  it('reads the Lattice principal among other headers', () => {
    const headers = { host: 'payments', 'X-Amzn-Lattice-Identity': `Principal=${principal}; Type=AWS_IAM`, 'x-other': 'Principal=evil' };
    assert.equal(latticeCallerOf(headers), principal);
  });

  it('reads no principal from an empty Principal= field or a certificate without SANs', () => {
    assert.equal(latticeCallerOf({ 'x-amzn-lattice-identity': 'Principal=; Type=AWS_IAM' }), undefined);
    assert.equal(spiffeIdOf(undefined), undefined);
    assert.equal(spiffeIdOf({}), undefined);
  });
});

describe('Consumer rules: request binding', () => {
  const sha = (line: string): string => createHash('sha256').update(line).digest('base64url');

  it('hashes the upper-cased method, the path and the query, leaving out an empty query', () => {
    assert.equal(requestHash('get', '/p'), sha('GET /p'));
    assert.equal(requestHash('GET', '/p', ''), sha('GET /p'));
    assert.equal(requestHash('GET', '/p', 'a=1'), sha('GET /p?a=1'));
  });

  it('sorts a query by name only (a name before the longer names it starts), keeping the order of one name values', () => {
    assert.equal(
      canonicalQuery([
        ['a-', '1'],
        ['a', '1'],
      ]),
      'a=1&a-=1',
    );
    assert.equal(
      canonicalQuery([
        ['a', '2'],
        ['a', '1'],
      ]),
      'a=2&a=1',
    );
    assert.equal(
      canonicalQuery([
        ['b', '1'],
        ['a', 'x y'],
        ['a', '0'],
      ]),
      'a=x%20y&a=0&b=1',
    );
    assert.equal(
      queryString([
        ['b', '2'],
        ['a', 'x y'],
      ]),
      'b=2&a=x%20y',
    );
  });

  it('reads a URL inside the query as query, and a query right after an absolute-form authority', () => {
    assert.equal(requestTargetHash('GET', '/p?u=http://h/x'), requestHash('GET', '/p', 'u=http%3A%2F%2Fh%2Fx'));
    assert.equal(requestTargetHash('GET', 'http://h?u=a/b'), requestHash('GET', '/', 'u=a%2Fb'));
    assert.equal(requestTargetHash('GET', '/p#x?a=1'), requestHash('GET', '/p'));
  });

  it('an empty body has the digest of no body', () => {
    assert.equal(bodyDigest(''), bodyDigest(undefined));
    assert.equal(bodyDigest(new Uint8Array()), sha(''));
  });

  it('keeps the RFC 8693 wire names the exchange speaks', () => {
    assert.equal(TOKEN_EXCHANGE_GRANT_TYPE, 'urn:ietf:params:oauth:grant-type:token-exchange');
    assert.equal(ACCESS_TOKEN_TYPE, 'urn:ietf:params:oauth:token-type:access_token');
    assert.equal(PREMINT_HEADER, 'x-identity-delegations');
  });
});
