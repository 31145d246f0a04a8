// What the upstream receives from enrichHeaders: forged identity and proxy headers never pass, the identity
// headers say exactly what the authorizer verified, and the trace and delegation headers are only forwarded well-formed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { VerifiedIdentity } from '../../src/auth/identity';
import { TokenError } from '../../src/errors';
import {
  encodeIdentityValue,
  enrichHeaders,
  MAX_IDENTITY_VALUE_LENGTH,
  validTraceparent,
  type OutgoingHeaders,
} from '../../src/ingress/headers';
import { readIngressEvent } from '../../src/ingress/request';
import { PREMINT_HEADER } from '@meshgate/consumer';
import { restEvent } from '../support/events';
import { ASSERTION, verifiedUser } from '../support/ingress-identity';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const identity = verifiedUser;

interface Options {
  readonly who?: VerifiedIdentity;
  readonly assertion?: string;
  readonly delegations?: readonly string[];
  readonly requestId?: string | undefined;
}

function enrich(headers: Record<string, string[]>, options: Options = {}): OutgoingHeaders {
  return enrichHeaders({
    untrustedHeaders: readIngressEvent(restEvent({ multiValueHeaders: headers })).untrustedHeaders,
    identity: options.who ?? identity,
    assertion: options.assertion ?? ASSERTION,
    ...(options.delegations === undefined ? {} : { delegations: options.delegations }),
    requestId: 'requestId' in options ? options.requestId : 'req-1',
  });
}

describe('enrichHeaders: forged proxy and hop-by-hop headers', () => {
  // Each is a header another proxy writes from what it verified; a client sending it directly is forging it.
  const forged = [
    'x-arr-clientcert',
    'x-client-cert',
    'remote-email',
    'remote-name',
    'x-client-ip',
    'x-cluster-client-ip',
    'cf-connecting-ip',
    'fastly-client-ip',
    'x-azure-clientip',
    'x-azure-socketip',
    'x-azure-fdid',
    'x-forwarded-client-cert',
    'x-real-ip',
    'true-client-ip',
    'x-amz-security-token',
  ];
  for (const name of forged) {
    it(`drops a client-sent ${name}, in any case and with _ for -`, () => {
      const lookalike = name.toUpperCase().replaceAll('-', '_');
      const out = enrich({ [name]: ['forged'], [lookalike]: ['forged'], accept: ['*/*'] });
      assert.deepEqual(
        Object.keys(out).filter((k) => k.toLowerCase().replaceAll('_', '-') === name),
        [],
      );
      assert.equal(out.accept, '*/*');
    });
  }
  const hopByHop = ['keep-alive', 'trailer', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'proxy-anything', 'expect'];
  for (const name of hopByHop) {
    it(`never forwards ${name}`, () => {
      assert.equal(enrich({ [name]: ['x'] })[name], undefined);
    });
  }
  it('forwards a header ending in proxy- (only the prefix is reserved)', () => {
    assert.equal(enrich({ 'x-via-proxy-': ['1'] })['x-via-proxy-'], '1');
  });
  it('forwards a repeated header as every safe value, in order', () => {
    assert.deepEqual(enrich({ accept: ['text/html', 'application/json'] }).accept, ['text/html', 'application/json']);
  });
});

describe('enrichHeaders: the assertion and pre-minted delegations', () => {
  const malformed = ['not-a-jws', `!${ASSERTION}`, `${ASSERTION}!`, `${ASSERTION}\r\nx-identity-sub: admin`, `${ASSERTION}.extra`];
  for (const bad of malformed) {
    it(`refuses to forward the assertion ${JSON.stringify(bad).slice(0, 50)}`, () => {
      assert.throws(() => enrich({}, { assertion: bad }), /compact JWS/);
      assert.throws(() => enrich({}, { delegations: [ASSERTION, bad] }), /compact JWS/);
    });
  }
  it('forwards up to four delegations comma-joined, and refuses a fifth', () => {
    const four = [1, 2, 3, 4].map((n) => `${ASSERTION}${n}`);
    assert.equal(enrich({}, { delegations: four })[PREMINT_HEADER], four.join(','));
    assert.equal(enrich({}, { delegations: [ASSERTION] })[PREMINT_HEADER], ASSERTION);
    assert.throws(() => enrich({}, { delegations: [...four, ASSERTION] }), /at most 4/);
  });
  it('sends no delegation header without delegations, and drops a client-sent one', () => {
    assert.equal(enrich({ [PREMINT_HEADER]: [ASSERTION] }, { delegations: [] })[PREMINT_HEADER], undefined);
    assert.equal(enrich({ [PREMINT_HEADER]: [ASSERTION] })[PREMINT_HEADER], undefined);
  });
});

describe('enrichHeaders: x-request-id', () => {
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  it('forwards a well-formed API Gateway request id as is', () => {
    assert.equal(enrich({}, { requestId: 'JKJaXmPLvHcESHA=' })['x-request-id'], 'JKJaXmPLvHcESHA=');
    assert.equal(enrich({}, { requestId: 'x'.repeat(128) })['x-request-id'], 'x'.repeat(128));
  });
  const bad: Array<string | undefined> = [undefined, '', 'a b', 'ok\r\nx-identity-sub: admin', ' ok', 'ok ', 'x'.repeat(129)];
  for (const requestId of bad) {
    it(`replaces the request id ${JSON.stringify(requestId)?.slice(0, 30)} with a fresh UUID, ignoring the client's`, () => {
      const value = enrich({ 'x-request-id': ['client-chosen'] }, { requestId })['x-request-id'];
      assert.match(String(value), UUID);
    });
  }
});

describe('enrichHeaders: trace headers', () => {
  it('joins repeated tracestate values with commas', () => {
    const out = enrich({ traceparent: [TRACEPARENT], tracestate: ['a=1', 'b=2'] });
    assert.equal(out.tracestate, 'a=1,b=2');
  });
  it('forwards a tracestate of 512 characters and drops one of 513', () => {
    const at = `a=${'x'.repeat(510)}`;
    assert.equal(enrich({ traceparent: [TRACEPARENT], tracestate: [at] }).tracestate, at);
    assert.equal(enrich({ traceparent: [TRACEPARENT], tracestate: [`${at}x`] }).tracestate, undefined);
  });
  for (const bad of ['é=1', 'a=1\u0000', '\u0001a=1', 'a=1\u00ff']) {
    it(`drops a tracestate holding a non-printable character (${JSON.stringify(bad)})`, () => {
      const out = enrich({ traceparent: [TRACEPARENT], tracestate: [bad] });
      assert.equal(out.traceparent, TRACEPARENT);
      assert.equal(out.tracestate, undefined);
    });
  }
  it('drops a malformed client x-amzn-trace-id when the function has none', () => {
    assert.equal(enrich({ 'x-amzn-trace-id': ['Root=1-abc; Parent=forged'] })['x-amzn-trace-id'], undefined);
  });
  it('accepts trace and parent ids that start or end with zeros but are not all zeros', () => {
    for (const id of [
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4730-00f067aa0ba902b0-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000001-01',
    ])
      assert.equal(validTraceparent(id), id);
  });
  it('refuses an all-zero parent id', () => {
    assert.equal(validTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'), undefined);
  });
});

describe('enrichHeaders: identity header length bound', () => {
  it('accepts a single claim encoding to exactly the bound, and refuses one character more, naming the header', () => {
    const at = 'a'.repeat(MAX_IDENTITY_VALUE_LENGTH);
    assert.equal(enrich({}, { who: { ...identity, sub: at } })['x-identity-sub'], at);
    const cases: Array<[keyof VerifiedIdentity, string]> = [
      ['sub', 'x-identity-sub'],
      ['iss', 'x-identity-iss'],
      ['tenant', 'x-identity-tenant'],
      ['clientId', 'x-identity-client'],
    ];
    for (const [claim, header] of cases) {
      assert.throws(
        () => enrich({}, { who: { ...identity, [claim]: `${at}a` } }),
        (err: unknown) => err instanceof TokenError && err.code === 'token_claim_invalid' && err.message.includes(header),
      );
    }
  });
  it('keeps a list item that brings the list to exactly the bound', () => {
    const groups = ['a'.repeat(500), 'b'.repeat(MAX_IDENTITY_VALUE_LENGTH - 501)];
    assert.equal(enrich({}, { who: { ...identity, groups } })['x-identity-groups'], groups.join(','));
  });
});

describe('enrichHeaders: the identity the upstream trusts is the one the authorizer verified', () => {
  const claim = fc.string({ unit: 'binary', maxLength: 60 }).filter((s) => s.isWellFormed());
  const item = fc.string({ unit: 'binary', minLength: 1, maxLength: 10 }).filter((s) => s.isWellFormed());
  const verified = fc.record({
    sub: claim,
    iss: claim,
    type: fc.constantFrom('user' as const, 'service' as const),
    scopes: fc.array(item, { maxLength: 6 }),
    groups: fc.array(item, { maxLength: 6 }),
    tenant: fc.option(claim, { nil: undefined }),
    clientId: fc.option(claim, { nil: undefined }),
    exp: fc.constant(0),
  });
  // Forged copies of every identity header, in lookalike spellings, alongside the verified identity.
  const forgery = fc.record({
    'x-identity-sub': fc.array(claim, { minLength: 1, maxLength: 2 }),
    'X-Identity-Tenant': fc.array(claim, { minLength: 1, maxLength: 2 }),
    x_identity_client: fc.array(claim, { minLength: 1, maxLength: 2 }),
    'X-IDENTITY-GROUPS': fc.array(claim, { minLength: 1, maxLength: 2 }),
  });
  const decodeList = (value: unknown, separator: string): string[] =>
    value === '' ? [] : String(value).split(separator).map(decodeURIComponent);

  it('decodes every identity header back to the verified claim, whatever the client sent', () => {
    fc.assert(
      fc.property(verified, forgery, (who, forged) => {
        const out = enrich(forged, { who });
        assert.equal(decodeURIComponent(String(out['x-identity-sub'])), who.sub);
        assert.equal(decodeURIComponent(String(out['x-identity-iss'])), who.iss);
        assert.equal(out['x-identity-type'], who.type);
        assert.deepEqual(decodeList(out['x-identity-scopes'], ' '), who.scopes);
        assert.deepEqual(decodeList(out['x-identity-groups'], ','), who.groups);
        assert.equal(out['x-identity-tenant'] === undefined ? undefined : decodeURIComponent(String(out['x-identity-tenant'])), who.tenant);
        assert.equal(
          out['x-identity-client'] === undefined ? undefined : decodeURIComponent(String(out['x-identity-client'])),
          who.clientId,
        );
        const ours = ['sub', 'iss', 'type', 'scopes', 'groups', 'tenant', 'client', 'assertion'].map((n) => `x-identity-${n}`);
        for (const name of Object.keys(out)) if (/^x[-_]identity[-_]/i.test(name)) assert.ok(ours.includes(name), name);
        assert.equal(out['x-identity-sub'], encodeIdentityValue(who.sub));
      }),
    );
  });
});
