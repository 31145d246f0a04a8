// docs/consumer.md's Go, Python and Java examples. The Python verifier (docs/examples/python, joserfc) runs as a child
// process against assertions meshgate's own code signs, with the JWKS on 127.0.0.1, and must accept and reject exactly
// what @meshgate/consumer does; its request_hash and the JDK-only Java RequestHash must give Node's `req` for tricky
// queries; and the doc's code blocks must be the example files, byte for byte.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHmac, createPrivateKey, sign } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AssertionError,
  ConfigError,
  bodyDigest,
  canonicalQuery,
  createAssertionVerifier,
  requestHash,
  spiffeIdOf,
} from '@meshgate/consumer';
import type { VerifiedIdentity } from '../../src/auth/identity';
import { assertionClaims, type AssertionTarget } from '../../src/ingress/assertion-claims';
import { signAssertion, type AssertionClaims } from '../../src/keys/assertion';
import { generateSigningKey, newKeySet, publicJwks, rotateKeySet, type SigningKey } from '../../src/keys/key-set';
import { startJwksServer, type JwksServer } from '../support/jwks-server';
import {
  ISSUER as EXCHANGE_ISSUER,
  delegatedClaims,
  delegatedTyp,
  exchangeForm,
  hop0Claims,
  keySet as exchangeKeySet,
  payloadOf,
  roleSession,
  runExchange,
  signSubject,
  testExchange,
} from '../exchange/support';

const PYTHON = process.env.MESHGATE_PYTHON ?? 'python3';
const EXAMPLES = resolve('docs/examples');
const ISSUER = 'https://meshgate.example.com';
const AUDIENCE = 'orders';
const identity: VerifiedIdentity = {
  sub: 'user-1',
  iss: 'https://idp.example.com/',
  type: 'user',
  scopes: ['orders:write'],
  groups: ['ops'],
  tenant: 'acme',
  clientId: 'web',
  exp: 0,
};

// ---- the Python example, driven through stdin/stdout ----

interface HashCase {
  readonly method: string;
  readonly path: string;
  readonly query: string;
}
interface VerifyCase extends HashCase {
  readonly name: string;
  readonly headers: string[];
  readonly body: Buffer;
  /** The request's transport identity (an mTLS SPIFFE id, a VPC Lattice caller), passed as `peer`. */
  readonly peer?: string;
}
type Verdict =
  | { ok: string; txn: string; chain: string[]; actor: string | null }
  | { rejected: string }
  | { refused: string }
  | { unavailable: string }
  | { config: string };
/** A certificate as Python's `ssl.SSLSocket.getpeercert()` returns it (only its SANs), or none. */
type PythonPeerCert = { subjectAltName: [string, string][] } | null;

const DRIVER = `
import base64, json, sys
from verify_assertion import ActorRefused, AssertionVerifier, JwksUnavailable, Rejected, request_hash, spiffe_id_of

job = json.load(sys.stdin)
out = {"hashes": [], "verdicts": [], "spiffe": [spiffe_id_of(cert) for cert in job["spiffe"]]}
for case in job["hashes"]:
    try:
        out["hashes"].append(request_hash(case["method"], case["path"], case["query"]))
    except UnicodeDecodeError:
        out["hashes"].append(None)
for run in job["verify"]:
    verifier = AssertionVerifier(
        run["issuer"], run["audience"], run["jwksUri"], accept_actors=run.get("acceptActors", []), peer_audience=run.get("peerAudience")
    )
    verdicts = []
    for case in run["cases"]:
        try:
            body = base64.b64decode(case["body"])
            claims = verifier.verify(case["method"], case["path"], case["query"], case["headers"], body, peer=case.get("peer"))
            verdicts.append({"ok": claims["sub"], "txn": claims["txn"], "chain": claims["chain"], "actor": claims["actor"]})
        except ActorRefused as err:
            verdicts.append({"refused": str(err)})
        except Rejected as err:
            verdicts.append({"rejected": str(err)})
        except JwksUnavailable as err:
            verdicts.append({"unavailable": str(err)})
        except ValueError as err:
            verdicts.append({"config": str(err)})
    out["verdicts"].append(verdicts)
print(json.dumps(out))
`;

interface PythonJob {
  hashes?: HashCase[];
  verify?: {
    issuer: string;
    audience: string;
    jwksUri: string;
    acceptActors?: string[];
    peerAudience?: Record<string, string>;
    cases: VerifyCase[];
  }[];
  spiffe?: PythonPeerCert[];
}

/** Runs the driver asynchronously: the JWKS server lives in this process and must keep answering. */
function runPython(job: PythonJob): Promise<{ hashes: (string | null)[]; verdicts: Verdict[][]; spiffe: (string | null)[] }> {
  const input = JSON.stringify({
    hashes: job.hashes ?? [],
    spiffe: job.spiffe ?? [],
    verify: (job.verify ?? []).map((run) => ({ ...run, cases: run.cases.map((c) => ({ ...c, body: c.body.toString('base64') })) })),
  });
  return new Promise((resolvePromise, reject) => {
    const child = spawn(PYTHON, ['-c', DRIVER], {
      env: { ...process.env, PYTHONPATH: join(EXAMPLES, 'python'), PYTHONDONTWRITEBYTECODE: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolvePromise(JSON.parse(stdout)) : reject(new Error(`python driver exited ${code}:\n${stderr}`)),
    );
    child.stdin.end(input);
  });
}

// Every Python test needs joserfc: without it, each fails with this message rather than a driver stack trace.
before(() => {
  const probe = spawnSync(PYTHON, ['-c', 'import sys, joserfc; print(sys.version.split()[0], joserfc.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    const why = (probe.stderr || probe.error?.message || '').trim().split('\n').pop();
    throw new Error(`docs/examples/python/verify_assertion.py needs Python 3.9+ with joserfc (pip install joserfc); ${PYTHON}: ${why}`);
  }
});

// ---- assertions as meshgate signs them, and tampered ones ----

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A compact JWS with any header, signed ES256 with a meshgate signing key (for headers meshgate never writes). */
function signWithHeader(header: Record<string, unknown>, claims: object, key: SigningKey): string {
  const input = `${b64(header)}.${b64(claims)}`;
  const signature = sign('sha256', Buffer.from(input), {
    key: createPrivateKey({ key: { ...key.privateJwk }, format: 'jwk' }),
    dsaEncoding: 'ieee-p1363',
  });
  return `${input}.${signature.toString('base64url')}`;
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);
const header = (key: SigningKey, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  alg: 'ES256',
  typ: 'identity+jwt',
  kid: key.kid,
  ...extra,
});

// The request meshgate validated and forwarded: the query pairs as its validator read them (spaces, '+', non-ASCII,
// a name repeated), and the raw query the service receives: other names first, other escapes, the same pairs.
const PAIRS: [string, string][] = [
  ['tag', 'b'],
  ['q', 'x y'],
  ['name', 'Zoë'],
  ['tag', 'a'],
  ['plus', '1+1'],
  ['tag', 'c'],
  ['flag', ''],
  ['e\u0301', '😀'],
];
const RAW_QUERY = 'q=x+y&tag=b&plus=1%2B1&name=Zo%c3%ab&tag=a&flag&tag=c&e%CC%81=%F0%9F%98%80';
const SAME_QUERY_OTHER_ESCAPES = 'e%cc%81=%f0%9f%98%80&flag=&name=Zo%C3%AB&plus=1%2b1&q=x%20y&tag=b&&tag=a&tag=c';
const BODY = Buffer.from('{"sku":"A-1","note":"é"}');
const TARGET: AssertionTarget = {
  audience: AUDIENCE,
  method: 'POST',
  upstreamPath: '/orders/42',
  canonicalQuery: canonicalQuery(PAIRS),
  body: BODY,
};

describe('docs/consumer.md: the Python example verifies what meshgate signs, as @meshgate/consumer does', () => {
  let jwks: JwksServer;
  let closedJwksUri: string;
  const keySet = rotateKeySet(newKeySet()); // previous, current and next keys in the JWKS
  const stranger = generateSigningKey();
  const cases: { case: VerifyCase; expect: RegExp | 'ok' }[] = [];

  before(async () => {
    jwks = await startJwksServer(publicJwks(keySet).keys as unknown as Record<string, string>[]);
    const port = await new Promise<number>((done) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = server.address() as { port: number };
        server.close(() => done(p));
      });
    });
    closedJwksUri = `http://127.0.0.1:${port}/jwks`;

    const now = nowSeconds();
    const claims = assertionClaims(identity, TARGET, { issuer: ISSUER, ttlSeconds: 60 }, now);
    const genuine = signAssertion(claims, keySet.current);
    const resign = (overrides: Partial<AssertionClaims>): string => signAssertion({ ...claims, ...overrides }, keySet.current);
    const add = (
      name: string,
      expect: RegExp | 'ok',
      assertion: string | string[],
      request: Partial<HashCase> & { body?: Buffer } = {},
    ): void => {
      cases.push({
        case: {
          name,
          method: 'POST',
          path: '/orders/42',
          query: RAW_QUERY,
          body: BODY,
          ...request,
          headers: typeof assertion === 'string' ? [assertion] : assertion,
        },
        expect,
      });
    };
    const [h, p, s] = genuine.split('.') as [string, string, string];

    add('genuine: query with spaces, +, non-ASCII, repeated names, shuffled', 'ok', genuine);
    add('genuine: the same pairs with other escapes and an empty pair', 'ok', genuine, { query: SAME_QUERY_OTHER_ESCAPES });
    add(
      'genuine: typ application/identity+jwt in capitals',
      'ok',
      signWithHeader(header(keySet.current, { typ: 'Application/Identity+JWT' }), claims, keySet.current),
    );
    add('genuine: signed with the next key after a rotation', 'ok', signAssertion(claims, keySet.next));
    const getClaims = assertionClaims(
      identity,
      { audience: AUDIENCE, method: 'GET', upstreamPath: '/orders', canonicalQuery: '', body: undefined },
      { issuer: ISSUER, ttlSeconds: 60 },
      now,
    );
    add('genuine: GET, no query, no body, the previous key', 'ok', signAssertion(getClaims, keySet.previous!), {
      method: 'GET',
      path: '/orders',
      query: '',
      body: Buffer.alloc(0),
    });

    add('another query: one name, values reordered', /req_mismatch/, genuine, {
      query: RAW_QUERY.replace('tag=b', 'tag=x').replace('tag=a', 'tag=b').replace('tag=x', 'tag=a'),
    });
    add('another query: 1+1 read as "1 1"', /req_mismatch/, genuine, { query: RAW_QUERY.replace('1%2B1', '1+1') });
    add('another query: one pair more', /req_mismatch/, genuine, { query: `${RAW_QUERY}&admin=1` });
    add('another method', /req_mismatch/, genuine, { method: 'PUT' });
    add('another path', /req_mismatch/, genuine, { path: '/orders/43' });
    add('the same path escaped otherwise (paths are compared as sent)', /req_mismatch/, genuine, { path: '/orders/%34%32' });
    add('another body', /body_mismatch/, genuine, { body: Buffer.concat([BODY, Buffer.from(' ')]) });
    add('no body', /body_mismatch/, genuine, { body: Buffer.alloc(0) });
    add('a query that is not UTF-8 once decoded', /req_mismatch/, genuine, { query: `${RAW_QUERY}&x=%FF` });

    add(
      'expired',
      /expired/,
      signAssertion(assertionClaims(identity, TARGET, { issuer: ISSUER, ttlSeconds: 300 }, now - 400), keySet.current),
    );
    add(
      'wrong audience',
      /'aud'/,
      signAssertion(assertionClaims(identity, { ...TARGET, audience: 'billing' }, { issuer: ISSUER, ttlSeconds: 60 }, now), keySet.current),
    );
    add('wrong issuer', /'iss'/, resign({ iss: 'https://evil.example.com' }));
    add('lives longer than 300 s', /lifetime_invalid/, resign({ exp: now + 600 }));
    add('issued in the future', /issued in the future/, resign({ iat: now + 120, exp: now + 180 }));

    add('alg none', /unsupported_algorithm/, `${b64({ alg: 'none', typ: 'identity+jwt', kid: keySet.current.kid })}.${p}.${s}`);
    const hsInput = `${b64({ alg: 'HS256', typ: 'identity+jwt', kid: keySet.current.kid })}.${p}`;
    const publicKeyAsSecret = JSON.stringify(publicJwks(keySet).keys[0]);
    add(
      'alg HS256 keyed with the public JWK',
      /unsupported_algorithm/,
      `${hsInput}.${createHmac('sha256', publicKeyAsSecret).update(hsInput).digest('base64url')}`,
    );
    add('alg ES384 claimed', /unsupported_algorithm/, `${b64(header(keySet.current, { alg: 'ES384' }))}.${p}.${s}`);
    add('header changed without re-signing', /bad_signature/, `${b64(header(keySet.current, { cty: 'json' }))}.${p}.${s}`);
    add(
      'typ JWT, signed by meshgate key (an ID token is not an assertion)',
      /typ_invalid/,
      signWithHeader(header(keySet.current, { typ: 'JWT' }), claims, keySet.current),
    );
    add('typ missing', /typ_invalid/, signWithHeader({ alg: 'ES256', kid: keySet.current.kid }, claims, keySet.current));
    add(
      'crit ["b64"] (which joserfc would accept)',
      /crit_unsupported/,
      signWithHeader(header(keySet.current, { b64: true, crit: ['b64'] }), claims, keySet.current),
    );
    add('kid missing', /kid_missing/, signWithHeader({ alg: 'ES256', typ: 'identity+jwt' }, claims, keySet.current));
    add('kid not in the JWKS', /kid_unknown/, signWithHeader(header(stranger), claims, stranger));
    add("another key under the current key's kid", /bad_signature/, signWithHeader(header(keySet.current), claims, stranger));
    add('signature of another assertion', /bad_signature/, `${h}.${b64({ ...claims, sub: 'admin' })}.${s}`);
    add('two headers', /malformed/, [genuine, genuine]);
    add('two values joined with a comma', /malformed/, `${genuine}, ${genuine}`);
    add('no header', /malformed/, []);
  });
  after(async () => {
    await jwks?.close();
  });

  it('accepts and rejects each case as @meshgate/consumer does, fetching the JWKS once', async () => {
    const { verdicts } = await runPython({
      verify: [{ issuer: ISSUER, audience: AUDIENCE, jwksUri: jwks.jwksUri, cases: cases.map((c) => c.case) }],
    });
    const node = createAssertionVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: jwks.jwksUri });
    for (const [i, { case: c, expect }] of cases.entries()) {
      const verdict = verdicts[0]![i]!;
      if (expect === 'ok')
        assert.deepEqual(verdict, { ok: identity.sub, txn: payloadOf(c.headers[0]!).jti, chain: [], actor: null }, c.name);
      else assert.match((verdict as { rejected?: string }).rejected ?? JSON.stringify(verdict), expect, c.name);
      const nodeOk = await node
        .verify({
          method: c.method,
          path: c.query === '' ? c.path : `${c.path}?${c.query}`,
          headers: { 'x-identity-assertion': c.headers.length === 1 ? c.headers[0] : c.headers.length === 0 ? undefined : c.headers },
          body: c.body,
        })
        .then(
          () => true,
          () => false,
        );
      assert.equal(nodeOk, expect === 'ok', `${c.name}: @meshgate/consumer disagrees`);
    }
    // Python and Node each fetched once: the unknown kid did not trigger a second fetch within the cooldown.
    assert.equal(jwks.requests, 2);
  });

  it('answers JwksUnavailable (503), not Rejected, when the JWKS cannot be fetched', async () => {
    const genuine = cases[0]!.case;
    const { verdicts } = await runPython({ verify: [{ issuer: ISSUER, audience: AUDIENCE, jwksUri: closedJwksUri, cases: [genuine] }] });
    assert.match((verdicts[0]![0] as { unavailable?: string }).unavailable ?? JSON.stringify(verdicts[0]), /no usable JWKS/);
  });
});

// ---- delegated assertions: minted by the exchange, verified by the Python example and by @meshgate/consumer ----

interface Custody {
  readonly txn: string;
  readonly chain: string[];
  readonly actor: string | null;
}
/**
 * Accepted with this custody, refused with Node's reason (a 403 when `actorRefused`) and Python's message, or a
 * configuration error (Node's `ConfigError` on this option, Python's `ValueError`).
 */
type DelegationExpect =
  { custody: Custody } | { reason: string; python: RegExp; actorRefused: boolean } | { configError: string; python: RegExp };

const refusal = (reason: string, python = new RegExp(`^${reason}$`)): DelegationExpect => ({ reason, python, actorRefused: false });
const actorRefusal = (reason: string): DelegationExpect => ({ reason, python: new RegExp(`^${reason}$`), actorRefused: true });

interface CustodyCase {
  readonly name: string;
  /** @meshgate/consumer's reason for refusing these claims. */
  readonly reason: string;
  readonly actorRefused: boolean;
  /** Signed as a delegated assertion (else as hop 0). */
  readonly delegated: boolean;
  readonly claims: () => Record<string, unknown>;
}

// Claims as a buggy or compromised signer would write them for payments (which accepts orders), signed with meshgate's
// key: each breaks one custody rule (R15, R16). The Python test checks these reasons are @meshgate/consumer's.
const SIX_ACTORS = ['s1', 's2', 's3', 's4', 's5', 'orders-service'];
const forged = (name: string, reason: string, overrides: Record<string, unknown>): CustodyCase => ({
  name,
  reason,
  actorRefused: reason === 'actor_not_accepted',
  delegated: true,
  claims: () => delegatedClaims('payments-service', ['orders-service'], overrides),
});
const CUSTODY_CASES: CustodyCase[] = [
  forged('an actor payments does not accept', 'actor_not_accepted', { act: { sub: 'billing' }, act_sub: 'billing', chain: ['billing'] }),
  forged('act stripped', 'act_missing', { act: undefined }),
  forged('act a string', 'act_invalid', { act: 'orders-service' }),
  forged('act null', 'act_invalid', { act: null }),
  forged('inner act null', 'act_invalid', { act: { sub: 'orders-service', act: null } }),
  forged('act.sub empty', 'act_invalid', { act: { sub: '' } }),
  forged('act_sub another service', 'act_sub_mismatch', { act_sub: 'checkout' }),
  forged('act_sub missing', 'act_sub_mismatch', { act_sub: undefined }),
  forged('chain missing', 'chain_mismatch', { chain: undefined }),
  forged('chain empty', 'chain_mismatch', { chain: [] }),
  forged('chain spliced', 'chain_mismatch', { chain: ['checkout', 'orders-service'] }),
  forged('chain in act order', 'chain_mismatch', {
    act: { sub: 'orders-service', act: { sub: 'checkout' } },
    chain: ['orders-service', 'checkout'],
  }),
  forged('orders twice', 'chain_cycle', {
    act: { sub: 'orders-service', act: { sub: 'orders-service' } },
    chain: ['orders-service', 'orders-service'],
  }),
  forged('payments itself in the chain', 'chain_cycle', {
    act: { sub: 'orders-service', act: { sub: 'payments-service' } },
    chain: ['payments-service', 'orders-service'],
  }),
  forged('six actors', 'chain_too_deep', {
    act: SIX_ACTORS.reduce<Record<string, unknown> | undefined>((inner, sub) => (inner ? { sub, act: inner } : { sub }), undefined),
    chain: SIX_ACTORS,
  }),
  forged('txn missing', 'txn_missing', { txn: undefined }),
  forged('txn a number', 'txn_missing', { txn: 7 }),
  ...['act', 'act_sub', 'chain'].map((name) => ({
    name: `hop 0 carrying ${name}`,
    reason: 'act_unexpected',
    actorRefused: false,
    delegated: false,
    claims: () => ({ ...hop0Claims('payments-service'), [name]: delegatedClaims('x', ['orders-service'])[name] }),
  })),
];

describe('docs/consumer.md: the Python example verifies delegated assertions as @meshgate/consumer does', () => {
  const CHARGE = Buffer.from('{"amount":5}');
  const ENTRY = Buffer.from('{"debit":5}');
  const runs: {
    audience: string;
    acceptActors?: string[];
    peerAudience?: Record<string, string>;
    cases: { case: VerifyCase; expect: DelegationExpect }[];
  }[] = [];
  let jwks: JwksServer;

  before(async () => {
    jwks = await startJwksServer(publicJwks(exchangeKeySet).keys as unknown as Record<string, string>[]);
    const exchange = testExchange();
    const mint = async (subject: string, actorRole: string, form: Record<string, string>): Promise<string> => {
      const res = await runExchange(exchange, { form: exchangeForm(subject, form), callerArn: roleSession(actorRole) });
      assert.equal(res.status, 200, JSON.stringify(res.json));
      return res.json.access_token as string;
    };
    // caller → orders → payments → ledger, each hop a real exchange bound to the one request it allows.
    const hop0 = signSubject(hop0Claims('orders-service'));
    const txn = payloadOf(hop0).txn as string;
    const toPayments = await mint(hop0, 'orders', { body_sha256: bodyDigest(CHARGE) });
    const toLedger = await mint(toPayments, 'payments', {
      audience: 'ledger-service',
      request_target: '/entries',
      body_sha256: bodyDigest(ENTRY),
    });

    const request = (name: string, token: string, over: Partial<VerifyCase> = {}): VerifyCase => ({
      name,
      method: 'POST',
      path: '/charges',
      query: '',
      body: CHARGE,
      headers: [token],
      ...over,
    });
    // CUSTODY_CASES are bound to POST /checkout with no body.
    const checkout = { path: '/checkout', body: Buffer.alloc(0) };
    const [header, payload, signature] = toPayments.split('.') as [string, string, string];
    const relabelled = `${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(header, 'base64url').toString()), typ: 'identity+jwt' })).toString('base64url')}.${payload}.${signature}`;

    runs.push({
      audience: 'payments-service',
      acceptActors: ['orders-service'],
      cases: [
        {
          case: request('minted: orders calls payments for user-42', toPayments),
          expect: { custody: { txn, chain: ['orders-service'], actor: 'orders-service' } },
        },
        { case: request('replayed to another path', toPayments, { path: '/refunds' }), expect: refusal('req_mismatch') },
        {
          case: request('replayed with another body', toPayments, { body: Buffer.from('{"amount":500}') }),
          expect: refusal('body_mismatch'),
        },
        { case: request('the hop-0 assertion for orders, replayed to payments', hop0, checkout), expect: refusal('aud_mismatch', /'aud'/) },
        { case: request('relabelled typ identity+jwt', relabelled), expect: refusal('signature_invalid', /bad_signature/) },
        ...CUSTODY_CASES.map(({ name, reason, actorRefused, delegated, claims }) => ({
          case: request(name, signSubject(claims(), delegated ? { typ: delegatedTyp } : {}), checkout),
          expect: actorRefused ? actorRefusal(reason) : refusal(reason),
        })),
      ],
    });
    runs.push({
      audience: 'ledger-service',
      acceptActors: ['payments-service'],
      cases: [
        {
          case: request('minted twice: payments calls ledger for user-42, through orders', toLedger, { path: '/entries', body: ENTRY }),
          expect: { custody: { txn, chain: ['orders-service', 'payments-service'], actor: 'payments-service' } },
        },
      ],
    });
    runs.push({
      audience: 'payments-service',
      cases: [
        { case: request('no accepted actors: a genuine delegated assertion', toPayments), expect: actorRefusal('delegation_not_accepted') },
      ],
    });

    // The actor against the peer the request came from: an mTLS SPIFFE id or a VPC Lattice caller, mapped to services.
    const ordersSpiffe = 'spiffe://cluster.local/ns/shop/sa/orders';
    const billingSpiffe = 'spiffe://cluster.local/ns/shop/sa/billing';
    const hop0ForPayments = signSubject(hop0Claims('payments-service'));
    const ordersCustody = { custody: { txn, chain: ['orders-service'], actor: 'orders-service' } };
    runs.push({
      audience: 'payments-service',
      acceptActors: ['orders-service'],
      peerAudience: { [ordersSpiffe]: 'orders-service', [roleSession('orders')]: 'orders-service', [billingSpiffe]: 'billing-service' },
      cases: [
        { case: request('peer: orders, by its SPIFFE id', toPayments, { peer: ordersSpiffe }), expect: ordersCustody },
        { case: request('peer: orders, as the VPC Lattice caller', toPayments, { peer: roleSession('orders') }), expect: ordersCustody },
        {
          case: request("peer: billing, presenting orders' assertion", toPayments, { peer: billingSpiffe }),
          expect: actorRefusal('peer_mismatch'),
        },
        {
          case: request('peer: a workload that is no known service', toPayments, { peer: 'spiffe://cluster.local/ns/shop/sa/stranger' }),
          expect: actorRefusal('peer_unknown'),
        },
        {
          case: request('peer: billing, with a hop-0 assertion (a direct call is not peer-checked)', hop0ForPayments, {
            ...checkout,
            peer: billingSpiffe,
          }),
          expect: { custody: { txn: payloadOf(hop0ForPayments).txn as string, chain: [], actor: null } },
        },
      ],
    });
    runs.push({
      audience: 'payments-service',
      acceptActors: ['orders-service'],
      cases: [
        {
          case: request('peer: passed to a verifier without a peer mapping', toPayments, { peer: ordersSpiffe }),
          expect: { configError: 'peerAudience', python: /^peer_audience must be set/ },
        },
      ],
    });
  });
  after(async () => {
    await jwks?.close();
  });

  it('accepts the exchanged chains, refuses splicing, stripping, cycles, depth, unaccepted actors and other peers, for the same reasons', async () => {
    const { verdicts } = await runPython({
      verify: runs.map(({ audience, acceptActors, peerAudience, cases }) => ({
        issuer: EXCHANGE_ISSUER,
        audience,
        jwksUri: jwks.jwksUri,
        ...(acceptActors === undefined ? {} : { acceptActors }),
        ...(peerAudience === undefined ? {} : { peerAudience }),
        cases: cases.map((c) => c.case),
      })),
    });
    for (const [r, { audience, acceptActors, peerAudience, cases }] of runs.entries()) {
      const node = createAssertionVerifier({
        issuer: EXCHANGE_ISSUER,
        audience,
        jwksUri: jwks.jwksUri,
        ...(acceptActors === undefined ? {} : { acceptActors }),
        ...(peerAudience === undefined ? {} : { peerAudience }),
      });
      for (const [i, { case: c, expect }] of cases.entries()) {
        const verdict = verdicts[r]![i]!;
        const nodeVerdict = await node
          .verify({
            method: c.method,
            path: c.path,
            headers: { 'x-identity-assertion': c.headers[0] },
            body: c.body,
            ...(c.peer === undefined ? {} : { peer: c.peer }),
          })
          .then(
            (id) => ({ custody: { txn: id.txn, chain: [...id.chain], actor: id.actor ?? null } }),
            (e: unknown) =>
              e instanceof ConfigError
                ? { configError: e.path }
                : { reason: (e as AssertionError).reason, actorRefused: (e as AssertionError).code === 'assertion_actor_refused' },
          );
        if ('custody' in expect) {
          assert.deepEqual(verdict, { ok: 'user-42', ...expect.custody }, c.name);
          assert.deepEqual(nodeVerdict, expect, `${c.name}: @meshgate/consumer`);
        } else if ('configError' in expect) {
          assert.match((verdict as { config?: string }).config ?? JSON.stringify(verdict), expect.python, c.name);
          assert.deepEqual(nodeVerdict, { configError: expect.configError }, `${c.name}: @meshgate/consumer`);
        } else {
          const message = expect.actorRefused ? (verdict as { refused?: string }).refused : (verdict as { rejected?: string }).rejected;
          assert.match(message ?? JSON.stringify(verdict), expect.python, c.name);
          assert.deepEqual(nodeVerdict, { reason: expect.reason, actorRefused: expect.actorRefused }, `${c.name}: @meshgate/consumer`);
        }
      }
    }
    // One fetch per verifier that took a delegated assertion (Python and Node, one per run with accepted actors);
    // none for the hop-0-only ones, which refuse before reading any key.
    assert.equal(jwks.requests, 2 * runs.filter((run) => run.acceptActors !== undefined).length);
  });
});

// ---- the peer's SPIFFE id: Python's spiffe_id_of against Node's spiffeIdOf ----

describe("docs/consumer.md: the Python example's spiffe_id_of reads a client certificate as spiffeIdOf does", () => {
  it('takes the one spiffe:// URI SAN, and nothing from a certificate with none or several', async () => {
    const orders = 'spiffe://cluster.local/ns/shop/sa/orders';
    const sans: { san: [string, string][] | null; expect: string | null }[] = [
      { san: [['URI', orders]], expect: orders },
      {
        san: [
          ['DNS', 'orders.shop.svc'],
          ['URI', orders],
          ['URI', 'https://orders.example.com/'],
        ],
        expect: orders,
      },
      {
        san: [
          ['URI', orders],
          ['URI', 'spiffe://cluster.local/ns/shop/sa/billing'],
        ],
        expect: null,
      },
      {
        san: [
          ['DNS', orders],
          ['email', orders],
        ],
        expect: null,
      },
      { san: [['URI', 'https://orders.example.com/']], expect: null },
      { san: [], expect: null },
      { san: null, expect: null },
    ];
    const { spiffe } = await runPython({ spiffe: sans.map(({ san }) => (san === null ? null : { subjectAltName: san })) });
    for (const [i, { san, expect }] of sans.entries()) {
      // Node prints a certificate's SANs as `subjectaltname`: `DNS:a, URI:spiffe://…`; Python's getpeercert() as pairs.
      const node = spiffeIdOf(san === null ? undefined : { subjectaltname: san.map(([kind, value]) => `${kind}:${value}`).join(', ') });
      assert.equal(spiffe[i], expect, JSON.stringify(san));
      assert.equal(node ?? null, expect, `${JSON.stringify(san)}: @meshgate/consumer`);
    }
  });
});

// ---- req: the canonical query, Python and Java against Node ----

/** `req` as @meshgate/consumer computes it from a request target (`URLSearchParams`, then `canonicalQuery`). */
const nodeReq = (c: HashCase): string => requestHash(c.method, c.path, canonicalQuery(new URLSearchParams(c.query)));
/** Node reads invalid UTF-8 as U+FFFD; the examples refuse such a query. The corpus has no literal U+FFFD. */
const notUtf8 = (c: HashCase): boolean => [...new URLSearchParams(c.query)].some(([n, v]) => `${n}${v}`.includes('\uFFFD'));

const TRICKY: string[] = [
  '',
  '&&',
  'b=2&a=x+y',
  'a=x%20y&b=2',
  'a=1+1&a=1%2B1&a=1%2b1',
  'name=Zo%C3%AB&name=Zo%c3%ab&name=Zoë',
  'e%CC%81=%F0%9F%98%80&%C3%A9=1',
  'a%20b=1&a!=2', // encoded names sort 'a!' < 'a%20b'; decoded ones would put 'a b' first
  'z=1&%C3%A9=2', // '%C3%A9' < 'z' once encoded; 'é' > 'z' decoded
  'a-b=1&a=2', // by name: 'a' < 'a-b'; sorting whole 'name=value' strings would put 'a-b=1' first
  'a=3&b=1&a=1&a=2', // stable: a's values keep 3, 1, 2
  'A=1&a=2&B=3&_=4&~=5&*=6&.=7&-=8&(=9',
  "%21%7E%2A%27%28%29=%21%7E%2A%27%28%29&!~*'()=x",
  'a=%zz&b=100%&c=%2&d=%%41&e=%4',
  'a&=x&=&a==b&==',
  'a+b=c+d&a%2Bb=c%2Bd',
  ';=1&a=1;b=2&c=,/?:@$#',
  'sp ace=ra w&tab=%09&nl=%0A&nul=%00',
  'q=%E2%80%AE&q=%EF%BB%BF',
  'x=%FF',
  'x=%C3',
  'x=%ED%A0%80', // an encoded surrogate is not UTF-8
  'x=%C0%AF', // overlong
];
const TRICKY_CASES: HashCase[] = [
  ...TRICKY.map((query) => ({ method: 'GET', path: '/orders/42', query })),
  { method: 'post', path: '/a%2Fb/%7Euser/Zo%C3%AB', query: 'b=1&a=2' },
  { method: 'DELETE', path: '/', query: '' },
];

/** Random queries from fragments that break naive ports (seeded, so a failure reproduces). */
function randomQueries(count: number, seed: number): HashCase[] {
  const fragments = [
    'a',
    'b',
    'A',
    '=',
    '&',
    '+',
    '%',
    '%2',
    '%20',
    '%2B',
    '%41',
    '%C3%A9',
    '%c3',
    '%A9',
    '%F0%9F%98%80',
    'é',
    '~',
    '*',
    '!',
    "'",
    '(',
    '-',
    '.',
    '_',
    ';',
    '%zz',
    ' ',
    '%25',
  ];
  let state = seed;
  const next = (n: number): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
  return Array.from({ length: count }, () => ({
    method: 'GET',
    path: '/p',
    query: Array.from({ length: 1 + next(12) }, () => fragments[next(fragments.length)]).join(''),
  }));
}

const HASH_CASES = [...TRICKY_CASES, ...randomQueries(400, 20240613)];

describe("docs/consumer.md: the examples' req matches @meshgate/consumer's", () => {
  it('Python request_hash: the same req for every query, and a refusal for invalid UTF-8', async () => {
    const { hashes } = await runPython({ hashes: HASH_CASES });
    const invalid = HASH_CASES.filter(notUtf8).length;
    assert.ok(invalid >= 4 && invalid < HASH_CASES.length / 2, `${invalid} invalid-UTF-8 cases`);
    for (const [i, c] of HASH_CASES.entries()) assert.equal(hashes[i], notUtf8(c) ? null : nodeReq(c), JSON.stringify(c));
  });

  it('Java RequestHash (JDK only): the same req for every query, and a refusal for invalid UTF-8', (t) => {
    if (spawnSync('javac', ['-version']).status !== 0) return t.skip('no javac on PATH');
    for (const c of HASH_CASES)
      assert.ok(!/[\t\n\r]/.test(`${c.method}${c.path}${c.query}`), 'a raw tab or newline would break the driver');
    const lines = runJava(
      'RequestHash.java',
      `import java.io.*; import java.nio.charset.*;
public class Driver { public static void main(String[] args) throws IOException {
  BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
  for (String line; (line = in.readLine()) != null; ) {
    String[] f = line.split("\\t", -1);
    try { System.out.println(RequestHash.of(f[0], f[1], f[2])); } catch (CharacterCodingException e) { System.out.println("REFUSED"); }
  }
} }
`,
      HASH_CASES.map((c) => `${c.method}\t${c.path}\t${c.query}`).join('\n'),
    );
    assert.equal(lines.length, HASH_CASES.length);
    for (const [i, c] of HASH_CASES.entries()) assert.equal(lines[i], notUtf8(c) ? 'REFUSED' : nodeReq(c), JSON.stringify(c));
  });
});

/** Compiles a JDK-only example with a Driver class (javac -Werror) and runs the driver; returns its output lines. */
function runJava(example: string, driver: string, input = ''): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'meshgate-java-example-'));
  try {
    writeFileSync(join(dir, 'Driver.java'), driver);
    const javac = spawnSync('javac', ['-Xlint:all', '-Werror', '-d', dir, join(EXAMPLES, 'java', example), join(dir, 'Driver.java')], {
      encoding: 'utf8',
    });
    assert.equal(javac.status, 0, javac.stderr);
    const java = spawnSync('java', ['-cp', dir, 'Driver'], { input, encoding: 'utf8' });
    assert.equal(java.status, 0, java.stderr);
    return java.stdout.trimEnd().split('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A JSON value as the Java object Nimbus's getClaims() holds for it: Map, List, String, Long or null. */
function javaValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value); // ASCII test data: a JSON string is a Java literal
  if (typeof value === 'number') return `${value}L`;
  if (Array.isArray(value)) return `Arrays.asList(new Object[] {${value.map(javaValue).join(', ')}})`;
  const entries = Object.entries(value as object).filter(([, v]) => v !== undefined);
  return `map(${entries.flatMap(([k, v]) => [JSON.stringify(k), javaValue(v)]).join(', ')})`;
}

describe('docs/consumer.md: the JDK-only Java Custody applies the custody rules as @meshgate/consumer does', () => {
  it('refuses each forged chain and each other peer for the same reason, and reads genuine chains and hop 0', (t) => {
    if (spawnSync('javac', ['-version']).status !== 0) return t.skip('no javac on PATH');
    const orders = 'spiffe://cluster.local/ns/shop/sa/orders';
    const billing = 'spiffe://cluster.local/ns/shop/sa/billing';
    const fromOrders = (): Record<string, unknown> => delegatedClaims('payments-service', ['orders-service']);
    // peer: passed to checkPeer with the PEERS mapping (orders and billing), or with none when `unmapped`.
    const cases: { delegated: boolean; claims: Record<string, unknown>; peer?: string; unmapped?: true; expect: string }[] = [
      ...CUSTODY_CASES.map((c) => ({
        delegated: c.delegated,
        claims: c.claims(),
        expect: `${c.actorRefused ? 'refused' : 'rejected'} ${c.reason}`,
      })),
      {
        delegated: true,
        claims: delegatedClaims('payments-service', ['checkout', 'orders-service']),
        expect: 'ok txn-hop-0 [checkout, orders-service] orders-service',
      },
      { delegated: false, claims: hop0Claims('payments-service', { jti: 'j-1', txn: 'j-0' }), expect: 'ok j-0 [] null' },
      { delegated: false, claims: hop0Claims('payments-service', { jti: 'j-1', txn: undefined }), expect: 'ok j-1 [] null' },
      { delegated: false, claims: hop0Claims('payments-service', { txn: 7 }), expect: 'rejected txn_invalid' },
      { delegated: true, claims: fromOrders(), peer: orders, expect: 'ok txn-hop-0 [orders-service] orders-service' },
      { delegated: true, claims: fromOrders(), peer: billing, expect: 'refused peer_mismatch' },
      { delegated: true, claims: fromOrders(), peer: 'spiffe://cluster.local/ns/shop/sa/stranger', expect: 'refused peer_unknown' },
      {
        delegated: true,
        claims: fromOrders(),
        peer: orders,
        unmapped: true,
        expect: 'config peerAudience must be set to check a request peer',
      },
      {
        delegated: true,
        claims: delegatedClaims('payments-service', ['billing-service']),
        peer: billing,
        expect: 'refused actor_not_accepted',
      },
      { delegated: false, claims: hop0Claims('payments-service', { jti: 'j-1', txn: 'j-0' }), peer: billing, expect: 'ok j-0 [] null' },
    ];
    const lines = runJava(
      'Custody.java',
      `import java.util.*;
public class Driver {
  static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
    return m;
  }
  static final Map<String, String> PEERS = Map.of(${JSON.stringify(orders)}, "orders-service", ${JSON.stringify(billing)}, "billing-service");
  static String run(boolean delegated, Map<String, Object> claims, String peer, Map<String, String> peerAudience) {
    try {
      Custody c = delegated ? Custody.delegated(claims, "payments-service", Set.of("orders-service")) : Custody.direct(claims);
      c.checkPeer(peer, peerAudience);
      return "ok " + c.txn + " " + c.chain + " " + c.actor;
    } catch (Custody.Refused e) {
      return (e.actorRefused ? "refused " : "rejected ") + e.getMessage();
    } catch (IllegalStateException e) {
      return "config " + e.getMessage();
    }
  }
  public static void main(String[] args) {
${cases.map((c) => `    System.out.println(run(${c.delegated}, ${javaValue(c.claims)}, ${javaValue(c.peer ?? null)}, ${c.unmapped ? 'null' : 'PEERS'}));`).join('\n')}
  }
}
`,
    );
    assert.deepEqual(
      lines,
      cases.map((c) => c.expect),
    );
  });
});

// ---- the doc shows the files, verbatim ----

describe('docs/consumer.md includes every example file verbatim', () => {
  const doc = readFileSync('docs/consumer.md', 'utf8');
  // A block counts when it directly follows a line linking to its file: [..](examples/<path>)
  const blocks = new Map(
    [...doc.matchAll(/\]\((examples\/[^)\s]+)\)[^\n]*\n\n```[a-z]+\n([\s\S]*?)\n```\n/g)].map((m) => [`docs/${m[1]}`, `${m[2]}\n`]),
  );
  // Build output a developer may leave behind (python's __pycache__, javac's .class files) is not an example.
  const files = (dir: string): string[] =>
    readdirSync(dir)
      .filter((n) => n !== '__pycache__' && !n.endsWith('.class'))
      .flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [relative('.', join(dir, n))]));

  it('its test vector for ports is what Node and the Python example compute', async () => {
    const vector = /^raw query: (\S+)\ncanonical: (\S+)\nGET \/orders\/42 with it, req: (\S+)$/m.exec(doc);
    assert.ok(vector, 'docs/consumer.md: the req test vector');
    const [, raw, canonical, req] = vector as unknown as [string, string, string, string];
    assert.equal(canonicalQuery(new URLSearchParams(raw)), canonical);
    assert.equal(requestHash('GET', '/orders/42', canonical), req);
    assert.deepEqual((await runPython({ hashes: [{ method: 'GET', path: '/orders/42', query: raw }] })).hashes, [req]);
  });

  for (const file of files(EXAMPLES).sort()) {
    it(file, () => {
      assert.ok(blocks.has(file), `docs/consumer.md has no code block right after a link to ${file.replace(/^docs\//, '')}`);
      assert.equal(
        blocks.get(file),
        readFileSync(file, 'utf8'),
        `${file} and its block in docs/consumer.md differ: copy the file into the doc`,
      );
    });
  }
});
