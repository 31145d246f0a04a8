// Attacks on the assertion consumer: every forged, replayed or confused assertion ends in its precise error code.
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { bodyDigest, MAX_ASSERTION_LENGTH, requestHash } from '../src/index.js';
import { fixture, rejectsWith, type Fixture } from './support/fixture.js';
import { startJwksServer, type JwksServer } from './support/jwks-server.js';
import { AUDIENCE, ISSUER, b64, claims, generateSigningKey, nowSeconds, signRaw } from './support/keys.js';

describe('Consumer: attacks on x-identity-assertion', () => {
  let f: Fixture;
  let attacker: JwksServer;
  const header = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    alg: 'ES256',
    typ: 'identity+jwt',
    kid: f.set.current.kid,
    ...extra,
  });

  before(async () => {
    f = await fixture();
    const evil = generateSigningKey();
    attacker = await startJwksServer([
      { kty: 'EC', crv: 'P-256', x: evil.privateJwk.x, y: evil.privateJwk.y, kid: f.set.current.kid, alg: 'ES256' },
    ]);
  });
  after(async () => {
    await f.close();
    await attacker.close();
  });

  it('accepts a genuine assertion and returns the typed identity', async () => {
    const identity = await f.verify(f.sign());
    assert.equal(identity.sub, 'user-1');
    assert.equal(identity.type, 'user');
    assert.deepEqual(identity.scopes, ['orders:read', 'orders:write']);
    assert.deepEqual(identity.groups, ['admin', 'ops']);
    assert.equal(identity.tenant, 'acme');
    assert.equal(identity.clientId, 'web');
    assert.equal(identity.srcIss, 'https://idp.example.com/');
    assert.equal(typeof identity.jti, 'string');
  });

  it('rejects a request without the header as assertion_missing', async () => {
    await rejectsWith(f.verify(undefined), 'assertion_missing');
    await rejectsWith(f.verify(''), 'assertion_missing');
  });

  it('rejects alg none, with or without a signature', async () => {
    const payload = claims();
    await rejectsWith(f.verify(`${b64({ ...header(), alg: 'none' })}.${b64(payload)}.`), 'assertion_invalid', 'malformed');
    await rejectsWith(
      f.verify(`${b64({ ...header(), alg: 'none' })}.${b64(payload)}.${b64('x'.repeat(64))}`),
      'assertion_invalid',
      'alg_not_allowed',
    );
    await rejectsWith(
      f.verify(`${b64({ ...header(), alg: 'NONE' })}.${b64(payload)}.${b64('x'.repeat(64))}`),
      'assertion_invalid',
      'alg_not_allowed',
    );
  });

  it('rejects HS256 "signed" with the published public key (key confusion)', async () => {
    const jwk = JSON.stringify({ kty: 'EC', crv: 'P-256', x: f.set.current.privateJwk.x, y: f.set.current.privateJwk.y });
    for (const secret of [jwk, f.set.current.privateJwk.x]) {
      const input = `${b64(header({ alg: 'HS256' }))}.${b64(claims())}`;
      const token = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
      await rejectsWith(f.verify(token), 'assertion_invalid', 'alg_not_allowed', token);
    }
  });

  it('rejects RS256 even when correctly signed by an RSA key', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const input = `${b64(header({ alg: 'RS256' }))}.${b64(claims())}`;
    const token = `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
    await rejectsWith(f.verify(token), 'assertion_invalid', 'alg_not_allowed');
  });

  it('rejects a kid that is not in the JWKS', async () => {
    await rejectsWith(f.verify(signRaw(f.set.current, header({ kid: 'no-such-key' }), claims())), 'assertion_invalid', 'kid_unknown');
  });

  it('rejects an assertion signed by another key under a published kid', async () => {
    const evil = generateSigningKey();
    await rejectsWith(f.verify(signRaw(evil, header(), claims())), 'assertion_invalid', 'signature_invalid');
  });

  it('rejects a tampered payload (claims swapped under a genuine signature)', async () => {
    const [h, , s] = f.sign().split('.');
    const forged = `${h}.${b64(claims({ sub: 'admin', groups: ['root'] }))}.${s}`;
    await rejectsWith(f.verify(forged), 'assertion_invalid', 'signature_invalid', forged);
  });

  it('rejects a DER-encoded signature (ES256 is R || S, 64 bytes)', async () => {
    const [h, p] = f.sign().split('.');
    const der = sign('sha256', Buffer.from(`${h}.${p}`), { key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey });
    await rejectsWith(f.verify(`${h}.${p}.${der.toString('base64url')}`), 'assertion_invalid', 'signature_invalid');
  });

  it('rejects an expired assertion', async () => {
    const iat = nowSeconds() - 400;
    await rejectsWith(f.verify(f.sign({ iat, exp: iat + 120 })), 'assertion_expired');
  });

  it('rejects an assertion issued in the future beyond the clock skew', async () => {
    const iat = nowSeconds() + 3600;
    await rejectsWith(f.verify(f.sign({ iat, exp: iat + 60 })), 'assertion_invalid', 'iat_in_future');
  });

  it('accepts iat slightly in the future within the clock skew', async () => {
    const iat = nowSeconds() + 10;
    assert.equal((await f.verify(f.sign({ iat, exp: iat + 60 }))).sub, 'user-1');
  });

  it('rejects a lifetime longer than 5 minutes (exp − iat > 300)', async () => {
    const iat = nowSeconds();
    await rejectsWith(f.verify(f.sign({ iat, exp: iat + 301 })), 'assertion_invalid', 'lifetime_too_long');
  });

  it('accepts a genuine assertion as long as MAX_ASSERTION_LENGTH allows and refuses a longer one unparsed', async () => {
    const withGroup = (length: number): string => f.sign({ groups: ['g'.repeat(length)] });
    // Three group characters add four base64url characters; base64url skips one length in four, so the longest is the cap or one less.
    let pad = 1000 + Math.floor(((MAX_ASSERTION_LENGTH - withGroup(1000).length) * 3) / 4);
    while (withGroup(pad).length > MAX_ASSERTION_LENGTH) pad--;
    while (withGroup(pad + 1).length <= MAX_ASSERTION_LENGTH) pad++;
    const longest = withGroup(pad);
    assert.ok(longest.length >= MAX_ASSERTION_LENGTH - 1, `${longest.length}`);
    assert.deepEqual((await f.verify(longest)).groups, ['g'.repeat(pad)]);
    const longer = withGroup(pad + 1);
    await rejectsWith(f.verify(longer), 'assertion_invalid', 'too_large', longer);
  });

  it('rejects an assertion without exp or iat', async () => {
    const { exp: _exp, ...noExp } = claims();
    await rejectsWith(f.verify(signRaw(f.set.current, header(), noExp)), 'assertion_invalid', 'exp_missing');
    const { iat: _iat, ...noIat } = claims();
    await rejectsWith(f.verify(signRaw(f.set.current, header(), noIat)), 'assertion_invalid', 'iat_missing');
  });

  it('rejects another issuer, even one that serves the same keys', async () => {
    await rejectsWith(f.verify(f.sign({ iss: 'https://evil.example.com' })), 'assertion_issuer_mismatch', 'iss_mismatch');
    await rejectsWith(f.verify(f.sign({ iss: `${ISSUER}/` })), 'assertion_issuer_mismatch');
  });

  it('rejects an assertion meant for another service', async () => {
    await rejectsWith(f.verify(f.sign({ aud: 'billing' })), 'assertion_audience_mismatch');
    await rejectsWith(f.verify(f.sign({ aud: [] })), 'assertion_audience_mismatch');
  });

  it('rejects an assertion replayed on another route or method', async () => {
    const token = f.sign();
    await rejectsWith(f.verify(token, 'GET', '/orders/43'), 'assertion_request_mismatch', 'req_mismatch');
    await rejectsWith(f.verify(token, 'DELETE', '/orders/42'), 'assertion_request_mismatch');
    await rejectsWith(f.verify(token, 'GET', '/orders/42/'), 'assertion_request_mismatch');
    await rejectsWith(f.verify(f.sign({ req: undefined })), 'assertion_request_mismatch');
  });

  it('binds an absolute-form request target to its path as sent: no dot-segment resolution, no 500 on a bad URL', async () => {
    const token = f.sign({ req: requestHash('GET', '/orders/42') });
    assert.equal((await f.verify(token, 'GET', 'http://orders.internal/orders/42')).sub, 'user-1');
    assert.equal(
      (await f.verify(f.sign({ req: requestHash('GET', '/orders/42', 'x=1') }), 'GET', 'http://orders.internal/orders/42?x=1')).sub,
      'user-1',
    );
    // `new URL()` resolved `..`: an assertion for /orders/42 verified on a target that routes as /admin/../orders/42.
    await rejectsWith(f.verify(token, 'GET', 'http://orders.internal/admin/../orders/42'), 'assertion_request_mismatch');
    await rejectsWith(f.verify(token, 'GET', 'http://orders.internal/admin/%2e%2e/orders/42'), 'assertion_request_mismatch');
    // `new URL()` threw a TypeError here, which the helpers answer with 500 instead of 401.
    await rejectsWith(f.verify(token, 'GET', 'http://[/orders/43'), 'assertion_request_mismatch');
  });

  it('binds the query in its canonical form: same pairs in another spelling pass, other pairs fail', async () => {
    const token = f.sign({ req: requestHash('GET', '/orders/42', 'expand=items%20all&expand=lines&limit=2') });
    for (const target of [
      '/orders/42?expand=items%20all&expand=lines&limit=2',
      '/orders/42?limit=2&expand=items+all&expand=lines#frag',
      '/orders/42?limit=%32&expand=items%20all&expand=lines',
    ]) {
      assert.equal((await f.verify(token, 'get', target)).sub, 'user-1', target);
    }
    for (const target of [
      '/orders/42',
      '/orders/42?expand=items%20all&expand=lines&limit=3',
      '/orders/42?expand=lines&expand=items%20all&limit=2',
      '/orders/42?expand=items%20all&expand=lines&limit=2&admin=1',
      '/orders/42?expand=items%2Ball&expand=lines&limit=2',
    ]) {
      await rejectsWith(f.verify(token, 'GET', target), 'assertion_request_mismatch');
    }
    await rejectsWith(f.verify(f.sign(), 'GET', '/orders/42?x=1'), 'assertion_request_mismatch');
  });

  it('checks the body digest when given the body, and only then', async () => {
    const token = f.sign({ body_sha256: bodyDigest('{"sku":"A-1"}') });
    assert.equal((await f.verify(token, 'GET', '/orders/42', undefined)).sub, 'user-1', 'no body given: not checked');
    assert.equal((await f.verify(token, 'GET', '/orders/42', Buffer.from('{"sku":"A-1"}'))).sub, 'user-1');
    assert.equal((await f.verify(token, 'GET', '/orders/42', '{"sku":"A-1"}')).sub, 'user-1');
    await rejectsWith(f.verify(token, 'GET', '/orders/42', '{"sku":"A-2"}'), 'assertion_request_mismatch', 'body_mismatch');
    await rejectsWith(f.verify(token, 'GET', '/orders/42', ''), 'assertion_request_mismatch', 'body_mismatch');
    await rejectsWith(f.verify(f.sign({ body_sha256: undefined })), 'assertion_invalid', 'claim_invalid');
  });

  it('rejects duplicated headers in every shape', async () => {
    const token = f.sign();
    const cases: Record<string, string | string[]>[] = [
      { 'x-identity-assertion': [token, token] },
      { 'x-identity-assertion': token, 'X-Identity-Assertion': token },
      { 'x-identity-assertion': `${token}, ${token}` },
    ];
    for (const headers of cases) {
      await rejectsWith(f.verifier.verify({ method: 'GET', path: '/orders/42', headers }), 'assertion_invalid', 'header_duplicate');
    }
    const h = new Headers();
    h.append('x-identity-assertion', token);
    h.append('x-identity-assertion', token);
    await rejectsWith(f.verifier.verify({ method: 'GET', path: '/orders/42', headers: h }), 'assertion_invalid', 'header_duplicate');
  });

  it('rejects crit, a missing kid and a wrong typ', async () => {
    await rejectsWith(f.verify(signRaw(f.set.current, header({ crit: ['exp'] }), claims())), 'assertion_invalid', 'crit_unsupported');
    await rejectsWith(
      f.verify(signRaw(f.set.current, header({ crit: [], b64: false }), claims())),
      'assertion_invalid',
      'crit_unsupported',
    );
    await rejectsWith(f.verify(signRaw(f.set.current, header({ kid: undefined }), claims())), 'assertion_invalid', 'kid_missing');
    for (const typ of ['JWT', 'at+jwt', undefined]) {
      await rejectsWith(f.verify(signRaw(f.set.current, header({ typ }), claims())), 'assertion_invalid', 'typ_invalid');
    }
  });

  it('never fetches jku, x5u or an embedded jwk: only the configured JWKS URI', async () => {
    const evil = generateSigningKey();
    const before = attacker.requests;
    const evilJwk = { kty: 'EC', crv: 'P-256', x: evil.privateJwk.x, y: evil.privateJwk.y };
    for (const extra of [
      { jku: attacker.jwksUri },
      { x5u: attacker.jwksUri },
      { jwk: evilJwk },
      { jku: attacker.jwksUri, kid: 'attacker-kid' },
    ]) {
      await assert.rejects(f.verify(signRaw(evil, header(extra), claims())), (err: { code?: string }) => err.code === 'assertion_invalid');
    }
    assert.equal(attacker.requests, before, 'the attacker JWKS server was never contacted');
  });

  it('rejects malformed input without throwing anything but AssertionError', async () => {
    for (const token of [
      'a.b',
      'a.b.c.d',
      '....',
      `${b64('[]')}.${b64(claims())}.${b64('x'.repeat(64))}`,
      `${b64('not json')}.e30.${b64('x'.repeat(64))}`,
      'é.é.é',
      'x'.repeat(10_000),
    ]) {
      await rejectsWith(f.verify(token), 'assertion_invalid');
    }
  });

  it('rejects a genuine signature over a payload that is not a JSON object', async () => {
    await rejectsWith(f.verify(signRaw(f.set.current, header(), '[1,2]')), 'assertion_invalid', 'malformed');
  });

  it('rejects claims of the wrong type', async () => {
    await rejectsWith(f.verify(f.sign({ type: 'admin' })), 'assertion_invalid', 'claim_invalid');
    await rejectsWith(f.verify(f.sign({ groups: 'admin' })), 'assertion_invalid', 'claim_invalid');
    await rejectsWith(f.verify(f.sign({ sub: '' })), 'assertion_invalid', 'claim_invalid');
  });

  it('checks the audience against the configuration, not the token', async () => {
    assert.equal(AUDIENCE, 'orders');
    const token = f.sign({ aud: ['billing', AUDIENCE] });
    assert.equal((await f.verify(token)).sub, 'user-1');
  });
});
