// The subject_token check on its own: what verifySubject accepts and reads, and every attack it refuses, as data.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, sign } from 'node:crypto';
import { ASSERTION_TYP, DELEGATED_ASSERTION_TYP, MAX_DELEGATION_DEPTH } from '@meshgate/consumer';
import { verifySubject } from '../../src/exchange/subject';
import { rotateKeySet } from '../../src/keys/key-set';
import { ISSUER, delegatedClaims, foreignKeySet, hop0Claims, keySet, signRaw, signSubject } from './support';
import { assertRefusal } from './refusal';

const NOW = 1_800_000_000;
const SETTINGS = { issuer: ISSUER, clockSkewSeconds: 30 };
const b64 = (text: string) => Buffer.from(text).toString('base64url');

/** A hop-0 subject for orders-service issued at NOW for 60 s, with `overrides` (undefined drops a claim). */
const hop0 = (overrides: Record<string, unknown> = {}) => hop0Claims('orders-service', { iat: NOW, exp: NOW + 60, ...overrides });
/** A delegated subject for payments-service through orders-service, issued at NOW. */
const hop1 = (overrides: Record<string, unknown> = {}, chain = ['orders-service']) =>
  delegatedClaims('payments-service', chain, { iat: NOW, exp: NOW + 60, ...overrides });
const delegated = (claims: Record<string, unknown>) => signSubject(claims, { typ: DELEGATED_ASSERTION_TYP });
/** Signs any header with the key set's current key: the signature is genuine, the header says what the attacker wants. */
const withHeader = (header: Record<string, unknown>, claims = hop0()) => signRaw(header, claims, keySet.current.privateJwk);
const header = (overrides: Record<string, unknown> = {}) => ({ alg: 'ES256', typ: ASSERTION_TYP, kid: keySet.current.kid, ...overrides });

/** A genuinely signed compact JWS whose payload segment is `payloadText`, whatever it holds. */
function signedPayloadText(payloadText: string): string {
  const input = `${b64(JSON.stringify(header()))}.${b64(payloadText)}`;
  const key = createPrivateKey({ key: keySet.current.privateJwk, format: 'jwk' });
  return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

/** A valid hop-0 subject exactly `length` characters long (padding claim in the payload, padding field in the header). */
function subjectOfLength(length: number): string {
  for (let headerPad = 0; headerPad < 4; headerPad++) {
    const base = withHeader(header({ pad: 'x'.repeat(headerPad) }), hop0({ pad: '' })).length;
    const estimate = Math.floor(((length - base) * 3) / 4);
    for (let pad = Math.max(0, estimate - 6); pad <= estimate + 6; pad++) {
      const token = withHeader(header({ pad: 'x'.repeat(headerPad) }), hop0({ pad: 'p'.repeat(pad) }));
      if (token.length === length) return token;
    }
  }
  throw new Error(`no subject of ${length} characters`);
}

interface Attack {
  readonly name: string;
  readonly token: () => string;
  readonly reason: string;
  /** What the caller-facing description must say, where it is the only sign of which check refused. */
  readonly description?: RegExp;
  readonly now?: number;
}

const good = () => signSubject(hop0());

const ATTACKS: readonly Attack[] = [
  // Shape of the compact JWS.
  { name: 'a character before the header', token: () => `!${good()}`, reason: 'subject_malformed' },
  { name: 'a space before the header', token: () => ` ${good()}`, reason: 'subject_malformed' },
  { name: 'a character after the signature', token: () => `${good()}A`, reason: 'subject_malformed' },
  { name: 'a line break after the signature', token: () => `${good()}\n`, reason: 'subject_malformed' },
  { name: 'a fourth segment', token: () => `${good()}.${'A'.repeat(86)}`, reason: 'subject_malformed' },
  { name: 'a short signature', token: () => good().slice(0, -1), reason: 'subject_malformed' },
  { name: 'an empty payload segment', token: () => `${good().split('.')[0]}..${'A'.repeat(86)}`, reason: 'subject_malformed' },
  { name: 'one character over 8192', token: () => subjectOfLength(8193), reason: 'subject_malformed' },
  {
    name: 'a header that is not JSON',
    token: () => `${b64('{"alg":"ES256"')}.${b64('{}')}.${'A'.repeat(86)}`,
    reason: 'subject_malformed',
    description: /header is not base64url JSON/,
  },
  ...['null', '[]', '7', '"ES256"'].map((text) => ({
    name: `a header that is ${text}`,
    token: () => `${b64(text)}.${b64('{}')}.${'A'.repeat(86)}`,
    reason: 'subject_malformed',
    description: /header is not an object/,
  })),
  // Header: alg, crit, typ, kid.
  ...['none', 'HS256', 'ES384', 'RS256', 'es256'].map((alg) => ({
    name: `alg ${alg} over a genuine ES256 signature`,
    token: () => withHeader(header({ alg })),
    reason: 'subject_alg',
  })),
  { name: 'no alg', token: () => withHeader(header({ alg: undefined })), reason: 'subject_alg' },
  { name: 'a crit header', token: () => withHeader(header({ crit: ['exp'] })), reason: 'subject_malformed' },
  { name: 'an empty crit header', token: () => withHeader(header({ crit: [] })), reason: 'subject_malformed' },
  ...['JWT', 'at+jwt', 'identity+JWT', undefined].map((typ) => ({
    name: `typ ${String(typ)}`,
    token: () => withHeader(header({ typ })),
    reason: 'subject_typ',
  })),
  { name: 'a kid of another key set', token: () => signSubject(hop0(), { set: foreignKeySet }), reason: 'subject_key_unknown' },
  { name: 'no kid', token: () => withHeader(header({ kid: undefined })), reason: 'subject_key_unknown' },
  // Forged signatures.
  {
    name: 'a foreign key signing under meshgate’s kid',
    token: () => signRaw(header(), hop0(), foreignKeySet.current.privateJwk),
    reason: 'subject_signature',
  },
  {
    name: 'a payload swapped under another token’s signature',
    token: () => {
      const [h, , s] = good().split('.');
      return `${h}.${b64(JSON.stringify(hop0({ sub: 'admin' })))}.${s}`;
    },
    reason: 'subject_signature',
  },
  {
    name: 'a delegated typ swapped into a hop-0 token’s header',
    token: () => {
      const [, p, s] = good().split('.');
      return `${b64(JSON.stringify(header({ typ: DELEGATED_ASSERTION_TYP })))}.${p}.${s}`;
    },
    reason: 'subject_signature',
  },
  {
    name: 'an all-zero signature',
    token: () => `${good().split('.').slice(0, 2).join('.')}.${'A'.repeat(86)}`,
    reason: 'subject_signature',
  },
  // Payload shape.
  {
    name: 'a signed payload that is not JSON',
    token: () => signedPayloadText('{"iss":'),
    reason: 'subject_malformed',
    description: /payload is not base64url JSON/,
  },
  ...['null', '[]', '5', '"claims"'].map((text) => ({
    name: `a signed payload that is ${text}`,
    token: () => signedPayloadText(text),
    reason: 'subject_malformed',
    description: /payload is not an object/,
  })),
  // Issuer and lifetime.
  { name: 'another issuer', token: () => signSubject(hop0({ iss: 'https://evil.test' })), reason: 'subject_issuer' },
  { name: 'no issuer', token: () => signSubject(hop0({ iss: undefined })), reason: 'subject_issuer' },
  { name: 'iat as a string', token: () => signSubject(hop0({ iat: String(NOW) })), reason: 'subject_claims' },
  { name: 'a fractional iat', token: () => signSubject(hop0({ iat: NOW - 0.5 })), reason: 'subject_claims' },
  { name: 'no iat', token: () => signSubject(hop0({ iat: undefined })), reason: 'subject_claims' },
  { name: 'exp as a string', token: () => signSubject(hop0({ exp: String(NOW + 60) })), reason: 'subject_claims' },
  { name: 'a fractional exp', token: () => signSubject(hop0({ exp: NOW + 60.5 })), reason: 'subject_claims' },
  { name: 'exp equal to iat', token: () => signSubject(hop0({ iat: NOW + 10, exp: NOW + 10 })), reason: 'subject_lifetime' },
  { name: 'exp before iat', token: () => signSubject(hop0({ iat: NOW + 10, exp: NOW + 5 })), reason: 'subject_lifetime' },
  { name: 'a lifetime of 301 s', token: () => signSubject(hop0({ iat: NOW, exp: NOW + 301 })), reason: 'subject_lifetime' },
  {
    name: 'iat one second past the clock skew',
    token: () => signSubject(hop0({ iat: NOW + 31, exp: NOW + 91 })),
    reason: 'subject_lifetime',
  },
  { name: 'exp exactly now', token: () => signSubject(hop0({ iat: NOW - 60, exp: NOW })), reason: 'subject_expired' },
  { name: 'exp one second ago', token: () => signSubject(hop0({ iat: NOW - 60, exp: NOW - 1 })), reason: 'subject_expired' },
  { name: 'a token checked after its exp', token: () => signSubject(hop0()), now: NOW + 60, reason: 'subject_expired' },
  // Claims.
  { name: 'an empty sub', token: () => signSubject(hop0({ sub: '' })), reason: 'subject_claims' },
  { name: 'a numeric sub', token: () => signSubject(hop0({ sub: 42 })), reason: 'subject_claims' },
  { name: 'no sub', token: () => signSubject(hop0({ sub: undefined })), reason: 'subject_claims' },
  { name: 'an empty jti', token: () => signSubject(hop0({ jti: '', txn: '' })), reason: 'subject_claims' },
  { name: 'type admin', token: () => signSubject(hop0({ type: 'admin' })), reason: 'subject_claims' },
  { name: 'type User', token: () => signSubject(hop0({ type: 'User' })), reason: 'subject_claims' },
  { name: 'no type', token: () => signSubject(hop0({ type: undefined })), reason: 'subject_claims' },
  { name: 'a numeric scope', token: () => signSubject(hop0({ scope: 5 })), reason: 'subject_claims' },
  { name: 'a scope list', token: () => signSubject(hop0({ scope: ['orders:write'] })), reason: 'subject_claims' },
  { name: 'a null scope', token: () => signSubject(hop0({ scope: null })), reason: 'subject_claims' },
  { name: 'groups as a string', token: () => signSubject(hop0({ groups: 'buyers' })), reason: 'subject_claims' },
  { name: 'an empty group', token: () => signSubject(hop0({ groups: ['buyers', ''] })), reason: 'subject_claims' },
  { name: 'a numeric group', token: () => signSubject(hop0({ groups: [7] })), reason: 'subject_claims' },
  { name: 'a group that is a list', token: () => signSubject(hop0({ groups: [['buyers']] })), reason: 'subject_claims' },
  {
    name: 'a group that is an object with a length',
    token: () => signSubject(hop0({ groups: [{ length: 1 }] })),
    reason: 'subject_claims',
  },
  {
    name: '257 groups',
    token: () => signSubject(hop0({ groups: Array.from({ length: 257 }, (_, i) => `g${i}`) })),
    reason: 'subject_claims',
  },
  { name: 'an empty tenant', token: () => signSubject(hop0({ tenant: '' })), reason: 'subject_claims' },
  { name: 'a numeric client_id', token: () => signSubject(hop0({ client_id: 7 })), reason: 'subject_claims' },
  { name: 'no src_iss', token: () => signSubject(hop0({ src_iss: undefined })), reason: 'subject_claims' },
  { name: 'no aud', token: () => signSubject(hop0({ aud: undefined })), reason: 'subject_claims' },
  // Hop 0 carries no chain.
  { name: 'a hop-0 assertion with act', token: () => signSubject(hop0({ act: { sub: 'orders-service' } })), reason: 'subject_act_forged' },
  { name: 'a hop-0 assertion with act_sub', token: () => signSubject(hop0({ act_sub: 'orders-service' })), reason: 'subject_act_forged' },
  { name: 'a hop-0 assertion with chain', token: () => signSubject(hop0({ chain: ['orders-service'] })), reason: 'subject_act_forged' },
  { name: 'a hop-0 assertion with a null act', token: () => signSubject(hop0({ act: null })), reason: 'subject_act_forged' },
  { name: 'a hop-0 txn that is not its jti', token: () => signSubject(hop0({ jti: 'j-1', txn: 'j-0' })), reason: 'subject_claims' },
  // Delegated chain.
  {
    name: 'a delegated assertion with an empty chain and no actor',
    token: () => delegated(hop1({ chain: [], act: undefined, act_sub: undefined })),
    reason: 'subject_act_forged',
  },
  { name: 'a delegated assertion with no chain', token: () => delegated(hop1({ chain: undefined })), reason: 'subject_claims' },
  { name: 'a delegated assertion with a null act', token: () => delegated(hop1({ act: null })), reason: 'subject_act_forged' },
  {
    name: 'a delegated assertion with a list act',
    token: () => delegated(hop1({ act: [{ sub: 'orders-service' }] })),
    reason: 'subject_act_forged',
  },
  { name: 'a delegated assertion without act', token: () => delegated(hop1({ act: undefined })), reason: 'subject_act_forged' },
  {
    name: 'a delegated assertion whose act_sub is not the last actor',
    token: () => delegated(hop1({ act_sub: 'payments-service' })),
    reason: 'subject_act_forged',
  },
  {
    name: 'an extra member beside the current actor',
    token: () =>
      delegated(
        hop1({ act: { sub: 'payments-service', act: { sub: 'orders-service' }, may_act: { sub: 'x' } } }, [
          'orders-service',
          'payments-service',
        ]),
      ),
    reason: 'subject_act_forged',
  },
  {
    name: 'an extra member beside the first actor',
    token: () => delegated(hop1({ act: { sub: 'orders-service', iss: ISSUER } })),
    reason: 'subject_act_forged',
  },
  {
    name: 'an act nested deeper than the chain',
    token: () => delegated(hop1({ act: { sub: 'orders-service', act: { sub: 'mail-service' } } })),
    reason: 'subject_act_forged',
  },
  {
    name: 'an act shallower than the chain',
    token: () => delegated(hop1({ act: { sub: 'payments-service' } }, ['orders-service', 'payments-service'])),
    reason: 'subject_act_forged',
  },
  {
    name: 'an act whose order differs from the chain',
    token: () =>
      delegated(
        hop1({ act: { sub: 'orders-service', act: { sub: 'payments-service' } }, act_sub: 'payments-service' }, [
          'orders-service',
          'payments-service',
        ]),
      ),
    reason: 'subject_act_forged',
  },
  {
    name: `a chain longer than ${MAX_DELEGATION_DEPTH}`,
    token: () => {
      const chain = Array.from({ length: MAX_DELEGATION_DEPTH + 1 }, (_, i) => `svc-${i}`);
      return delegated(delegatedClaims('payments-service', chain, { iat: NOW, exp: NOW + 60 }));
    },
    reason: 'subject_claims',
  },
  { name: 'a delegated assertion without txn', token: () => delegated(hop1({ txn: undefined })), reason: 'subject_claims' },
];

describe('Function: verifySubject', () => {
  describe('refuses every attack with invalid_request and the rule that refused it', () => {
    for (const attack of ATTACKS) {
      it(`refuses ${attack.name}`, () => {
        const err = assertRefusal(
          () => verifySubject(attack.token(), keySet, SETTINGS, attack.now ?? NOW),
          'invalid_request',
          attack.reason,
        );
        assert.equal(err.status, 400);
        if (attack.description) assert.match(err.message, attack.description);
      });
    }
  });

  it('reads a hop-0 subject: its claims, no chain, and its own jti as txn', () => {
    const claims = hop0();
    const subject = verifySubject(signSubject(claims), keySet, SETTINGS, NOW);
    assert.deepEqual(subject, {
      delegated: false,
      aud: 'orders-service',
      sub: 'user-42',
      type: 'user',
      scopes: ['orders:write', 'payments:charge', 'payments:read', 'inventory:read', 'ledger:write'],
      groups: ['buyers', 'CN=Ops,OU=x'],
      tenant: 'acme',
      clientId: 'web',
      srcIss: 'https://login.example.com/',
      exp: NOW + 60,
      jti: claims.jti,
      txn: claims.jti,
      chain: [],
    });
    assert.ok(Object.isFrozen(subject) && Object.isFrozen(subject.scopes) && Object.isFrozen(subject.groups));
  });

  it('reads a minimal hop-0 subject: no scope, groups, tenant, client_id or txn', () => {
    const claims = hop0({ scope: undefined, groups: undefined, tenant: undefined, client_id: undefined, txn: undefined });
    const subject = verifySubject(signSubject(claims), keySet, SETTINGS, NOW);
    assert.deepEqual(subject.scopes, []);
    assert.deepEqual(subject.groups, []);
    assert.equal(subject.tenant, undefined);
    assert.equal(subject.clientId, undefined);
    assert.equal(subject.txn, claims.jti);
  });

  it('splits scope on single spaces and drops the empty pieces', () => {
    const scopesOf = (scope: string) => verifySubject(signSubject(hop0({ scope })), keySet, SETTINGS, NOW).scopes;
    assert.deepEqual(scopesOf(' orders:write  payments:read '), ['orders:write', 'payments:read']);
    assert.deepEqual(scopesOf(''), []);
    assert.deepEqual(scopesOf('   '), []);
  });

  it('accepts each identity type: user, service and iam', () => {
    for (const type of ['user', 'service', 'iam']) {
      assert.equal(verifySubject(signSubject(hop0({ type })), keySet, SETTINGS, NOW).type, type);
    }
  });

  it('accepts a subject at every edge of its lifetime', () => {
    const accepted = (claims: Record<string, unknown>, now = NOW) => verifySubject(signSubject(hop0(claims)), keySet, SETTINGS, now).exp;
    assert.equal(accepted({ iat: NOW - 60, exp: NOW + 1 }), NOW + 1, 'one second before exp');
    assert.equal(accepted({ iat: NOW - 100, exp: NOW + 200 }), NOW + 200, 'a lifetime of exactly 300 s');
    assert.equal(accepted({ iat: NOW + 30, exp: NOW + 90 }), NOW + 90, 'issued exactly at the clock skew');
    assert.equal(accepted({ iat: NOW, exp: NOW + 1 }), NOW + 1, 'a lifetime of 1 s');
  });

  it('accepts a subject of exactly 8192 characters', () => {
    const token = subjectOfLength(8192);
    assert.equal(token.length, 8192);
    assert.equal(verifySubject(token, keySet, SETTINGS, NOW).sub, 'user-42');
  });

  it('accepts a subject signed by the next or the previous key of the set', () => {
    const rotated = rotateKeySet(keySet);
    const byPrevious = signSubject(hop0(), { set: keySet, key: 'current' });
    const byNext = signSubject(hop0(), { set: rotated, key: 'next' });
    assert.equal(verifySubject(byPrevious, rotated, SETTINGS, NOW).sub, 'user-42');
    assert.equal(verifySubject(byNext, rotated, SETTINGS, NOW).sub, 'user-42');
  });

  it('reads a delegated subject: its chain, oldest first, and the hop-0 txn', () => {
    const chain = ['orders-service', 'payments-service'];
    const subject = verifySubject(delegated(hop1({}, chain)), keySet, SETTINGS, NOW);
    assert.equal(subject.delegated, true);
    assert.deepEqual(subject.chain, chain);
    assert.equal(subject.txn, 'txn-hop-0');
  });

  it(`reads a delegated subject with a chain of ${MAX_DELEGATION_DEPTH}`, () => {
    const chain = Array.from({ length: MAX_DELEGATION_DEPTH }, (_, i) => `svc-${i}`);
    const claims = delegatedClaims('payments-service', chain, { iat: NOW, exp: NOW + 60 });
    assert.deepEqual(verifySubject(delegated(claims), keySet, SETTINGS, NOW).chain, chain);
  });
});
