import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fc from 'fast-check';
import type { VerifiedIdentity } from '../../src/auth/identity';
import { MeshgateError } from '../../src/errors';
import {
  encodeIdentityValue,
  enrichHeaders,
  MAX_IDENTITY_VALUE_LENGTH,
  validTraceparent,
  type OutgoingHeaders,
} from '../../src/ingress/headers';
import { readIngressEvent } from '../../src/ingress/request';
import { restEvent, httpApiEvent } from '../support/events';
import { ASSERTION, verifiedUser } from '../support/ingress-identity';

const identity = verifiedUser;

function enrich(
  headers: Record<string, string[]>,
  who: VerifiedIdentity = identity,
  extra: { amznTraceId?: string } = {},
): OutgoingHeaders {
  const request = readIngressEvent(restEvent({ multiValueHeaders: headers }));
  return enrichHeaders({ untrustedHeaders: request.untrustedHeaders, identity: who, assertion: ASSERTION, requestId: 'req-1', ...extra });
}

/** Every header value node would put on the wire; node itself rejects CR/LF/NUL, so check we never hand it one. */
function assertWireSafe(headers: OutgoingHeaders): void {
  for (const [name, value] of Object.entries(headers)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      assert.doesNotMatch(v, /[\u0000-\u0008\u000a-\u001f\u007f]/, `${name} holds a control character`);
      assert.doesNotThrow(() => http.validateHeaderValue(name, v), name);
    }
  }
}

describe('enrichHeaders: spoofed identity headers', () => {
  it('drops x-identity-* in any letter case, from headers and multiValueHeaders', () => {
    const out = enrich({
      'X-Identity-Sub': ['admin'],
      'x-IDENTITY-groups': ['admin', 'root'],
      'X-IDENTITY-ASSERTION': ['forged.jws.value'],
      'x-identity-extra': ['1'],
      accept: ['application/json'],
    });
    assert.equal(out['x-identity-sub'], 'user-1');
    assert.equal(out['x-identity-groups'], 'staff,admin');
    assert.equal(out['x-identity-assertion'], ASSERTION);
    assert.equal(out['x-identity-extra'], undefined);
    assert.equal(out.accept, 'application/json');
    assert.equal(
      Object.keys(out)
        .filter((k) => k.toLowerCase().startsWith('x-identity-'))
        .every((k) => k === k.toLowerCase()),
      true,
    );
  });
  it('drops spoofed headers that only appear in the single-value map of an HTTP API event', () => {
    const request = readIngressEvent(httpApiEvent({ headers: { 'X-Identity-Tenant': 'other', 'X-Identity-Type': 'iam' } }));
    const out = enrichHeaders({
      untrustedHeaders: request.untrustedHeaders,
      identity: { ...identity, tenant: undefined },
      assertion: ASSERTION,
      requestId: 'r',
    });
    assert.equal(out['x-identity-tenant'], undefined);
    assert.equal(out['x-identity-type'], 'user');
  });
  it('never forwards Authorization, hop-by-hop headers, or headers named in Connection', () => {
    const out = enrich({
      authorization: ['Bearer secret.token.value'],
      connection: ['keep-alive, X-Secret-Hop'],
      'x-secret-hop': ['1'],
      'keep-alive': ['timeout=5'],
      'proxy-authorization': ['Basic Zm9v'],
      te: ['trailers'],
      'transfer-encoding': ['chunked'],
      upgrade: ['websocket'],
      host: ['evil.example'],
      'content-length': ['999'],
      'x-custom': ['kept'],
    });
    assert.deepEqual(
      Object.keys(out).filter((k) => !k.startsWith('x-identity-') && k !== 'x-request-id'),
      ['x-custom'],
    );
  });
  it('drops inbound values carrying control characters instead of forwarding them', () => {
    const out = enrich({ 'x-note': ['ok\r\nx-identity-sub: admin'], 'x-fine': ['fine'] });
    assert.equal(out['x-note'], undefined);
    assert.equal(out['x-fine'], 'fine');
    assertWireSafe(out);
  });
  it('keeps a client header named __proto__ from touching the prototype', () => {
    const out = enrich({ __proto__: ['x'] });
    assert.equal(Object.getPrototypeOf(out), null);
  });
});

describe('enrichHeaders: contract headers', () => {
  it('adds every header of the mesh contract', () => {
    const out = enrich({});
    assert.deepEqual(
      {
        sub: out['x-identity-sub'],
        iss: out['x-identity-iss'],
        type: out['x-identity-type'],
        scopes: out['x-identity-scopes'],
        groups: out['x-identity-groups'],
        tenant: out['x-identity-tenant'],
        client: out['x-identity-client'],
        rid: out['x-request-id'],
      },
      {
        sub: 'user-1',
        iss: 'https://idp.example.com/',
        type: 'user',
        scopes: 'orders:read orders:write',
        groups: 'staff,admin',
        tenant: 'acme',
        client: 'web',
        rid: 'req-1',
      },
    );
  });
  it('marks SigV4 callers with iss aws:iam', () => {
    const out = enrich({}, { ...identity, type: 'iam', iss: 'whatever', sub: 'arn:aws:iam::123456789012:user/x' });
    assert.equal(out['x-identity-iss'], 'aws:iam');
    assert.equal(out['x-identity-type'], 'iam');
  });
  it('never lets a CR/LF/NUL claim produce a header value holding them', () => {
    const evil = 'admin\r\nx-identity-groups: root\u0000\n';
    const out = enrich({}, { ...identity, sub: evil, tenant: evil, clientId: evil, groups: [evil], scopes: [evil] });
    assertWireSafe(out);
    assert.equal(out['x-identity-sub'], 'admin%0D%0Ax-identity-groups:%20root%00%0A');
    assert.equal(decodeURIComponent(out['x-identity-sub'] as string), evil);
  });
  it('percent-encodes non-ASCII as UTF-8', () => {
    assert.equal(enrich({}, { ...identity, sub: 'Zoë 李' })['x-identity-sub'], 'Zo%C3%AB%20%E6%9D%8E');
  });
  it('keeps list separators inside items encoded, so a group "x,admin" never reads as admin', () => {
    const out = enrich({}, { ...identity, groups: ['x,admin'], scopes: ['a b'] });
    assert.equal(out['x-identity-groups'], 'x%2Cadmin');
    assert.equal(out['x-identity-scopes'], 'a%20b');
  });
  it('encodes injectively: different claims never give the same header', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        fc.pre(a !== b && a.isWellFormed() && b.isWellFormed());
        assert.notEqual(encodeIdentityValue(a), encodeIdentityValue(b));
      }),
    );
  });
  it('gives wire-safe values for any claim', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.array(fc.string({ unit: 'binary' }), { maxLength: 5 }),
        (sub, groups) => {
          assertWireSafe(enrich({}, { ...identity, sub, groups, tenant: sub, clientId: sub }));
        },
      ),
    );
  });
  it('refuses a single-valued claim longer than the bound, and trims lists at whole items', () => {
    assert.throws(
      () => enrich({}, { ...identity, sub: 'a'.repeat(MAX_IDENTITY_VALUE_LENGTH + 1) }),
      (err: unknown) => err instanceof MeshgateError && err.code === 'token_claim_invalid',
    );
    const groups = Array.from({ length: 200 }, (_, i) => `group-${i}`);
    const out = enrich({}, { ...identity, groups });
    const value = out['x-identity-groups'] as string;
    assert.ok(value.length <= MAX_IDENTITY_VALUE_LENGTH);
    assert.deepEqual(value.split(','), groups.slice(0, value.split(',').length));
  });
});

describe('enrichHeaders: trace propagation', () => {
  const good = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  it('propagates a valid traceparent and its tracestate', () => {
    const out = enrich({ traceparent: [good], tracestate: ['congo=t61rcWkgMzE'] });
    assert.equal(out.traceparent, good);
    assert.equal(out.tracestate, 'congo=t61rcWkgMzE');
  });
  for (const bad of [
    '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7',
    'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
    '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
    `${good}-extra`,
    `${good}\r\nx: y`,
  ]) {
    it(`drops an invalid traceparent (${JSON.stringify(bad).slice(0, 40)}) and its tracestate`, () => {
      const out = enrich({ traceparent: [bad], tracestate: ['a=b'] });
      assert.equal(out.traceparent, undefined);
      assert.equal(out.tracestate, undefined);
    });
  }
  it('accepts a future version with extra fields', () => {
    assert.equal(
      validTraceparent(`01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-cafe`),
      `01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-cafe`,
    );
  });
  it('prefers the function’s own X-Ray header over the inbound one, and drops malformed ones', () => {
    const own = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    assert.equal(enrich({ 'x-amzn-trace-id': ['Root=1-aaaa'] }, identity, { amznTraceId: own })['x-amzn-trace-id'], own);
    assert.equal(enrich({ 'x-amzn-trace-id': ['Root=1-aaaa'] })['x-amzn-trace-id'], 'Root=1-aaaa');
    assert.equal(enrich({ 'x-amzn-trace-id': ['Root=1 aaaa\r\n'] })['x-amzn-trace-id'], undefined);
  });
  it('replaces a client-sent x-request-id with API Gateway’s', () => {
    assert.equal(enrich({ 'x-request-id': ['spoofed'] })['x-request-id'], 'req-1');
  });
});
