// Runs the forged-token corpus (tokens.json) through the real authorizer in all three event formats.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, sign } from 'node:crypto';
import { authorizeEvent, buildAuthorizer, type Authorizer } from '../../src/auth/authorizer';
import type { AuthorizerResult } from '../../src/auth/authorize';
import { loadAuthorizerConfig } from '../../functions/authorizer/config';
import { ERROR_CODES } from '../../src/errors';
import { startInvocation } from '../../src/observability';
import { httpApiEvent, restRequestEvent, restTokenEvent } from '../support/authorizer-events';
import { startJwksServer, type JwksServer } from '../support/jwks-server';
import { assertNoSecretsLogged, captureLogs } from '../support/logs';
import { b64url, ecKey, nowSeconds, rsaKey, type TestKey } from '../support/tokens';
import corpus from './tokens.json';

type IssuerName = 'A' | 'B' | 'C' | 'D' | 'E';
type SignMode =
  | 'key'
  | 'other-issuer-key'
  | 'rogue-key'
  | 'hmac-with-public-pem'
  | 'hmac-with-jwk-modulus'
  | 'none'
  | 'garbage-signature'
  | 'jwe-shape'
  | 'raw';
type Mutation = 'truncate-signature' | 'extra-segment' | 'tamper-payload' | 'standard-base64' | 'base64-padding' | 'star-in-payload';

interface Recipe {
  readonly name: string;
  readonly issuer?: IssuerName;
  readonly header?: Record<string, unknown>;
  readonly payload?: Record<string, unknown>;
  readonly rawHeader?: string;
  readonly rawPayload?: string;
  readonly sign?: SignMode;
  readonly otherIssuer?: IssuerName;
  readonly raw?: string;
  readonly mutate?: Mutation;
  readonly padToBytes?: number | 'max' | 'max+1';
  readonly expect: string;
}

const ISS = {
  A: 'http://127.0.0.1/issuer-a',
  B: 'http://127.0.0.1/issuer-b',
  C: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc',
  D: 'http://127.0.0.1/issuer-d',
  E: 'http://127.0.0.1/issuer-e',
} as const;
/** Issuer E takes RFC 9068 access tokens only, and caps their lifetime. */
const E_OPTIONS = { allowedTyp: ['at+jwt'], maxTokenLifetimeSeconds: 3600 };
const MAX_TOKEN_BYTES = 4096;
const ROUTES = { upstreams: { demo: { audience: 'demo-service' } }, routes: [{ method: 'GET', path: '/whoami', upstream: 'demo' }] };
const FORMATS = [
  ['REST TOKEN', (auth: string) => restTokenEvent(auth)],
  ['REST REQUEST', (auth: string) => restRequestEvent({ Authorization: auth })],
  ['HTTP API 2.0', (auth: string) => httpApiEvent({ authorization: auth })],
] as const;

describe('Corpus: forged tokens through the real authorizer (test/attacks/tokens.json)', () => {
  const keys = {} as Record<IssuerName | 'rogueA' | 'rogueB', TestKey>;
  const servers = {} as Record<'A' | 'B' | 'D' | 'attacker', JwksServer>;
  let authorizer: Authorizer;

  before(async () => {
    keys.A = rsaKey('key-a');
    keys.B = ecKey('key-b');
    keys.D = rsaKey('key-d');
    keys.C = keys.A;
    keys.E = keys.A;
    keys.rogueA = rsaKey('key-a'); // the trusted kid, an untrusted key
    keys.rogueB = ecKey('key-b');
    servers.A = await startJwksServer([keys.A.jwk]);
    servers.B = await startJwksServer([keys.B.jwk]);
    servers.D = await startJwksServer([keys.D.jwk]);
    servers.attacker = await startJwksServer([keys.rogueA.jwk]);
    const env = {
      MESHGATE_ISSUERS: JSON.stringify([
        { issuer: ISS.A, audience: ['meshgate'], jwksUri: servers.A.jwksUri },
        { issuer: ISS.B, audience: ['meshgate'], jwksUri: servers.B.jwksUri },
        { issuer: ISS.C, clientIds: ['client-1'], tokenUse: 'access', jwksUri: servers.A.jwksUri },
        { issuer: ISS.D, audience: ['meshgate'], jwksUri: servers.D.jwksUri },
        { issuer: ISS.E, audience: ['meshgate'], jwksUri: servers.A.jwksUri, ...E_OPTIONS },
      ]),
      MESHGATE_ALLOW_LOOPBACK_HTTP: 'true',
      MESHGATE_MAX_TOKEN_BYTES: String(MAX_TOKEN_BYTES),
      MESHGATE_UNKNOWN_KID_PENALTY_SECONDS: '60',
      MESHGATE_TOKEN_CACHE_SIZE: '0',
    };
    authorizer = buildAuthorizer(() => loadAuthorizerConfig(env, ROUTES));
    assert.equal(authorizer.ok, true);
  });

  after(async () => {
    await Promise.all(Object.values(servers).map((s) => s.close()));
  });

  /** Resolves `{ "$now": n }`, `{ "$repeat": [text, n] }` and the attacker placeholders inside a recipe value. */
  function resolveValue(value: unknown): unknown {
    if (value === '$ATTACKER_JWKS_URI') return servers.attacker.jwksUri;
    if (value === '$ROGUE_JWK') return keys.rogueA.jwk;
    if (Array.isArray(value)) return value.map(resolveValue);
    if (typeof value === 'object' && value !== null) {
      const v = value as Record<string, unknown>;
      if (typeof v.$now === 'number') return nowSeconds() + v.$now;
      if (Array.isArray(v.$repeat)) return String(v.$repeat[0]).repeat(Number(v.$repeat[1]));
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolveValue(x)]));
    }
    return value;
  }

  function merge(base: Record<string, unknown>, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const out = { ...base };
    for (const [k, v] of Object.entries(overrides)) {
      if (v === null) delete out[k];
      else out[k] = resolveValue(v);
    }
    return out;
  }

  const template = (text: string): string =>
    text
      .replaceAll('${ISS_A}', ISS.A)
      .replaceAll('${NOW}', String(nowSeconds()))
      .replaceAll('${EXP}', String(nowSeconds() + 300));

  function defaultClaims(issuer: IssuerName): Record<string, unknown> {
    const base = { iss: ISS[issuer], sub: 'user-1', iat: nowSeconds(), exp: nowSeconds() + 300, scope: 'orders:read' };
    return issuer === 'C' ? { ...base, client_id: 'client-1', token_use: 'access' } : { ...base, aud: 'meshgate' };
  }

  function signWith(key: TestKey, input: string): string {
    const opts = key.alg === 'ES256' ? { key: key.privateKey, dsaEncoding: 'ieee-p1363' as const } : key.privateKey;
    return sign('sha256', Buffer.from(input), opts).toString('base64url');
  }

  /** Builds the token of a recipe; `pad` adds filler to the header and payload (for exact sizes). */
  function build(r: Recipe, pad = { header: 0, payload: 0 }): string {
    const mode = r.sign ?? 'key';
    if (mode === 'raw') return r.raw ?? '';
    if (mode === 'jwe-shape')
      return `${b64url({ alg: 'RSA-OAEP', enc: 'A256GCM', kid: 'key-a' })}.${b64url('cek')}.${b64url('iv-iv-iv-iv')}.${b64url('ciphertext')}.${b64url('tag')}`;
    const issuer = r.issuer ?? 'A';
    const signer =
      mode === 'other-issuer-key'
        ? keys[r.otherIssuer ?? 'D']
        : mode === 'rogue-key'
          ? keys[issuer].alg === 'ES256'
            ? keys.rogueB
            : keys.rogueA
          : keys[issuer];
    const headerObj = merge(
      {
        alg: signer.alg,
        typ: issuer === 'E' ? 'at+jwt' : 'JWT',
        kid: signer.kid,
        ...(pad.header > 0 ? { pad: 'h'.repeat(pad.header) } : {}),
      },
      r.header,
    );
    const payloadObj = merge({ ...defaultClaims(issuer), ...(pad.payload > 0 ? { pad: 'p'.repeat(pad.payload) } : {}) }, r.payload);
    const headerB64 = b64url(r.rawHeader === undefined ? headerObj : template(r.rawHeader));
    const payloadB64 = b64url(r.rawPayload === undefined ? payloadObj : template(r.rawPayload));
    const input = `${headerB64}.${payloadB64}`;
    let signature: string;
    if (mode === 'hmac-with-public-pem' || mode === 'hmac-with-jwk-modulus') {
      const secret =
        mode === 'hmac-with-public-pem' ? (signer.publicKey.export({ type: 'spki', format: 'pem' }) as string) : (signer.jwk.n ?? '');
      signature = createHmac(headerObj.alg === 'HS384' ? 'sha384' : 'sha256', secret)
        .update(input)
        .digest('base64url');
    } else if (mode === 'none') {
      signature = '';
    } else if (mode === 'garbage-signature') {
      signature = b64url('not a signature');
    } else {
      signature = signWith(signer, input);
    }
    return mutate(`${input}.${signature}`, r.mutate);
  }

  function mutate(token: string, how: Mutation | undefined): string {
    const [h, p, s] = token.split('.') as [string, string, string];
    switch (how) {
      case undefined:
        return token;
      case 'truncate-signature':
        return `${h}.${p}.${s.slice(0, s.length - 8)}`;
      case 'extra-segment':
        return `${token}.${b64url('extra')}`;
      case 'tamper-payload': {
        const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
        return `${h}.${b64url({ ...claims, sub: 'admin' })}.${s}`;
      }
      case 'standard-base64':
        return `${h}.${Buffer.from(p, 'base64url').toString('base64').replace(/=+$/, '')}+/.${s}`;
      case 'base64-padding':
        return `${h}.${p}==.${s}`;
      case 'star-in-payload':
        return `${h}.${p.slice(0, 4)}*${p.slice(5)}.${s}`;
    }
  }

  /** A token of exactly `bytes` bytes: base64url lengths skip residue 1 mod 4, so header and payload filler combine. */
  function buildPadded(r: Recipe, bytes: number): string {
    for (let header = 0; header < 4; header++) {
      const base = build(r, { header, payload: 1 }).length;
      const estimate = 1 + Math.floor(((bytes - base) * 3) / 4);
      for (let payload = Math.max(1, estimate - 4); payload <= estimate + 4; payload++) {
        const token = build(r, { header, payload });
        if (token.length === bytes) return token;
      }
    }
    throw new Error(`cannot pad ${r.name} to ${bytes} bytes`);
  }

  function tokenOf(r: Recipe): string {
    if (r.padToBytes === undefined) return build(r);
    const bytes = r.padToBytes === 'max' ? MAX_TOKEN_BYTES : r.padToBytes === 'max+1' ? MAX_TOKEN_BYTES + 1 : r.padToBytes;
    const token = buildPadded(r, bytes);
    assert.equal(Buffer.byteLength(token), bytes);
    return token;
  }

  async function runAllFormats(
    token: string,
  ): Promise<{ results: Array<[string, AuthorizerResult]>; decisions: Record<string, unknown>[]; logs: ReturnType<typeof captureLogs> }> {
    const logs = captureLogs();
    const results: Array<[string, AuthorizerResult]> = [];
    try {
      for (const [format, event] of FORMATS) {
        // As functions/authorizer/handler.ts: fresh log keys per invocation, then authorizeEvent, which must never
        // throw (the handler turns only its `unauthorized` answer into the exact `Unauthorized` error).
        startInvocation(undefined);
        results.push([format, await authorizeEvent(authorizer, event(`Bearer ${token}`))]);
      }
    } finally {
      logs.stop();
    }
    return { results, decisions: logs.entries().filter((e) => e.message === 'access decision'), logs };
  }

  function assertTokenNotLogged(logs: ReturnType<typeof captureLogs>, token: string): void {
    for (const segment of [token, ...token.split('.')].filter((s) => s.length >= 16)) {
      assert.equal(
        logs.lines.find((l) => l.includes(segment)),
        undefined,
        'a log line carries the token or a part of it',
      );
    }
    if ((token.split('.')[1] ?? '').length >= 16) assertNoSecretsLogged(logs, [token]);
  }

  it('is well-formed data: every case names a known reason code, and names are unique', () => {
    const names = new Set<string>();
    for (const r of [...corpus.controls, ...corpus.cases] as unknown as Recipe[]) {
      assert.ok(!names.has(r.name), `duplicate case name ${r.name}`);
      names.add(r.name);
      assert.ok(r.expect === 'ok' || (ERROR_CODES as readonly string[]).includes(r.expect), `${r.name}: unknown code ${r.expect}`);
    }
    assert.ok(corpus.cases.length >= 50);
  });

  for (const r of corpus.controls as unknown as Recipe[]) {
    it(`control: allows ${r.name} in every format (the harness can tell allow from deny)`, async () => {
      const token = tokenOf(r);
      const { results, decisions, logs } = await runAllFormats(token);
      for (const [format, result] of results) {
        assert.equal(result.kind, 'response', format);
        const body = result.body;
        if ('isAuthorized' in body) assert.equal(body.isAuthorized, true, format);
        else
          assert.ok(
            body.policyDocument.Statement.some((s) => s.Effect === 'Allow'),
            format,
          );
      }
      assert.deepEqual(
        decisions.map((d) => [d.outcome, d.reason]),
        FORMATS.map(() => ['allow', 'ok']),
      );
      assertTokenNotLogged(logs, token);
    });
  }

  for (const r of corpus.cases as unknown as Recipe[]) {
    it(`rejects ${r.name} → ${r.expect}`, async () => {
      const token = tokenOf(r);
      const { results, decisions, logs } = await runAllFormats(token);
      for (const [format, result] of results) {
        if (format === 'HTTP API 2.0') assert.deepEqual(result, { kind: 'response', body: { isAuthorized: false } }, format);
        else assert.deepEqual(result, { kind: 'unauthorized' }, `${format} must answer Unauthorized`);
      }
      assert.deepEqual(
        decisions.map((d) => [d.outcome, d.reason]),
        FORMATS.map(() => ['unauthorized', r.expect]),
      );
      for (const d of decisions) assert.equal(d.sub, undefined, 'no subject is logged for an unverified token');
      assertTokenNotLogged(logs, token);
    });
  }

  it('never fetched a key from jku, x5u, x5c or jwk: the attacker server saw no request', () => {
    assert.equal(servers.attacker.requests, 0);
  });

  it('refetched each issuer JWKS at most once for all the unknown kids (penalty window)', () => {
    // one fetch at cold start (hydrate) plus at most one for an unknown kid
    for (const name of ['A', 'B', 'D'] as const) assert.ok(servers[name].requests <= 2, `${name}: ${servers[name].requests} fetches`);
    assert.equal(servers.D.requests, 2, 'issuer D was asked once more, for the kid it does not have');
  });
});
