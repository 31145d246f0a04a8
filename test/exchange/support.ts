// The exchange under test: a route table with edges, a real key set, a trusted actor-token issuer (JWKS snapshot), events.
import { parseJwksSnapshot, snapshotFileEntry } from '../../src/auth/jwks-snapshot';
import { createPrivateKey, sign, type JsonWebKey } from 'node:crypto';
import {
  ASSERTION_TYP,
  DELEGATED_ASSERTION_TYP,
  JWT_TOKEN_TYPE,
  ACCESS_TOKEN_TYPE,
  TOKEN_EXCHANGE_GRANT_TYPE,
  bodyDigest,
  requestHash,
} from '@meshgate/consumer';
import { parseIssuers } from '../../src/config/issuers';
import { IssuerVerifiers } from '../../src/auth/verifiers';
import type { ExchangeConfig } from '../../src/exchange/exchange-config';
import { handleExchangeEvent, type Exchange } from '../../src/exchange/exchange';
import { newJti, signAssertion } from '../../src/keys/assertion';
import { generateSigningKey, newKeySet, type SigningKeySet } from '../../src/keys/key-set';
import { parseRouteTable } from '../../src/routes/route-table';
import { ecKey, signJwt, type TestKey } from '../support/tokens';

export const ISSUER = 'https://meshgate.test';
export const IDP = 'https://idp.test/';
export const ACCOUNT = '123456789012';

const principals = (name: string) => ({
  iam: [`arn:aws:iam::${ACCOUNT}:role/mesh/${name}`],
  clients: [{ issuer: IDP, clientId: `${name}-service` }],
});

export const EXCHANGE_ROUTES_JSON = {
  upstreams: {
    orders: { audience: 'orders-service', principals: principals('orders') },
    payments: { audience: 'payments-service', principals: principals('payments') },
    ledger: { audience: 'ledger-service', principals: principals('ledger') },
    inventory: { audience: 'inventory-service', principals: principals('inventory') },
    mail: { audience: 'mail-service' },
  },
  routes: [
    { method: 'POST', path: '/checkout', upstream: 'orders' },
    { method: 'GET', path: '/stock', upstream: 'inventory' },
  ],
  edges: [
    {
      from: 'orders',
      to: 'payments',
      scopes: ['payments:charge', 'payments:read'],
      routes: [
        { method: 'POST', path: '/charges' },
        { method: 'GET', path: '/charges/{id}' },
      ],
      maxDepth: 3,
    },
    {
      from: 'payments',
      to: 'ledger',
      scopes: ['payments:charge', 'ledger:write'],
      routes: [{ method: 'POST', path: '/entries' }],
      maxDepth: 2,
    },
    { from: 'ledger', to: 'orders', scopes: ['payments:charge'], routes: [{ method: 'POST', path: '/checkout' }], maxDepth: 5 },
    { from: 'ledger', to: 'inventory', scopes: ['payments:charge'], routes: [{ method: 'GET', path: '/stock' }], maxDepth: 2 },
    { from: 'orders', to: 'inventory', scopes: ['inventory:read'], routes: [{ method: 'GET', path: '/stock' }], premint: true },
  ],
};

export const exchangeRoutes = parseRouteTable(EXCHANGE_ROUTES_JSON);
export const keySet: SigningKeySet = newKeySet();
export const foreignKeySet: SigningKeySet = newKeySet();
export const idpKey: TestKey = ecKey('idp-key-1');
const idpConfig = parseIssuers([{ issuer: IDP, audience: ['meshgate'], jwksUri: 'https://idp.test/jwks' }], { allowLoopbackHttp: false });

export function exchangeConfig(overrides: Partial<ExchangeConfig> = {}): ExchangeConfig {
  return {
    routes: exchangeRoutes,
    issuer: ISSUER,
    ttlSeconds: 60,
    clockSkewSeconds: 30,
    keyStore: { kind: 'file', path: 'unused', cacheMs: 0 },
    actorTokenIssuers: idpConfig,
    maxTokenBytes: 8192,
    offline: false,
    ...overrides,
  };
}

/** An exchange on the test key set (or any store), trusting the test IdP for actor tokens. */
export function testExchange(options: { now?: () => number; store?: { load(): Promise<SigningKeySet> } } = {}): Exchange {
  const config = exchangeConfig();
  return {
    ok: true,
    core: {
      config,
      keyStore: options.store ?? { load: async () => keySet },
      actorTokens: new IssuerVerifiers(idpConfig, {
        clockSkewSeconds: 30,
        maxTokenBytes: 8192,
        jwksSnapshot: parseJwksSnapshot({ 'https://idp.test/jwks': snapshotFileEntry({ keys: [idpKey.jwk] }, new Date()) }),
      }),
      ...(options.now === undefined ? {} : { now: options.now }),
    },
  };
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** A hop-0 assertion as the ingress signs it, for `aud`. */
export function hop0Claims(aud: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSeconds();
  const jti = newJti();
  return {
    iss: ISSUER,
    aud,
    sub: 'user-42',
    type: 'user',
    scope: 'orders:write payments:charge payments:read inventory:read ledger:write',
    groups: ['buyers', 'CN=Ops,OU=x'],
    tenant: 'acme',
    client_id: 'web',
    src_iss: 'https://login.example.com/',
    iat: now,
    exp: now + 60,
    jti,
    req: requestHash('POST', '/checkout'),
    body_sha256: bodyDigest(undefined),
    txn: jti,
    ...overrides,
  };
}

/** Signs claims with a key of the set (`current` by default) or any key set, under a `typ`. */
export function signSubject(
  claims: Record<string, unknown>,
  options: { typ?: string; set?: SigningKeySet; key?: 'current' | 'next' | 'previous' } = {},
): string {
  const set = options.set ?? keySet;
  const key = options.key === 'previous' ? (set.previous ?? generateSigningKey()) : options.key === 'next' ? set.next : set.current;
  return signAssertion(claims as never, key, options.typ ?? ASSERTION_TYP);
}

/** A delegated subject for `aud`, through `chain` (oldest first), as the exchange would have minted it. */
export function delegatedClaims(aud: string, chain: string[], overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const act = chain.reduce<Record<string, unknown> | undefined>((inner, sub) => (inner ? { sub, act: inner } : { sub }), undefined);
  return hop0Claims(aud, { act, act_sub: chain[chain.length - 1], chain, txn: 'txn-hop-0', ...overrides });
}

export const delegatedTyp = DELEGATED_ASSERTION_TYP;

/** A client-credentials access token of the test IdP for `clientId`. */
export function actorToken(clientId: string, overrides: Record<string, unknown> = {}): string {
  const now = nowSeconds();
  return signJwt(
    idpKey,
    { iss: IDP, aud: 'meshgate', sub: clientId, client_id: clientId, iat: now, exp: now + 300, ...overrides },
    { typ: 'at+jwt' },
  );
}

export interface EventSpec {
  readonly form?: Record<string, string> | string;
  readonly callerArn?: string;
  readonly contentType?: string | string[] | null;
  readonly method?: string;
  readonly format?: 'rest' | 'http-v2';
  readonly base64?: boolean;
}

/** The standard exchange form: orders asks for payments, POST /charges, with `subject`. */
export function exchangeForm(subject: string, overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const form: Record<string, string | undefined> = {
    grant_type: TOKEN_EXCHANGE_GRANT_TYPE,
    subject_token: subject,
    subject_token_type: JWT_TOKEN_TYPE,
    audience: 'payments-service',
    request_method: 'POST',
    request_target: '/charges',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(form).filter((e): e is [string, string] => e[1] !== undefined));
}

export const ACTOR_TOKEN_TYPE = ACCESS_TOKEN_TYPE;

/** A REST (1.0) or HTTP API (2.0) `POST /token` proxy event. */
export function exchangeEvent(spec: EventSpec): Record<string, unknown> {
  const body = typeof spec.form === 'string' ? spec.form : new URLSearchParams(spec.form ?? {}).toString();
  const encoded = spec.base64 ? Buffer.from(body).toString('base64') : body;
  const ct =
    spec.contentType === undefined ? ['application/x-www-form-urlencoded'] : spec.contentType === null ? [] : [spec.contentType].flat();
  const method = spec.method ?? 'POST';
  if (spec.format === 'http-v2') {
    return {
      version: '2.0',
      routeKey: 'POST /token',
      rawPath: '/token',
      rawQueryString: '',
      headers: ct.length > 0 ? { 'content-type': ct.join(',') } : {},
      requestContext: {
        requestId: 'req-v2',
        http: { method, path: '/token' },
        stage: '$default',
        ...(spec.callerArn ? { authorizer: { iam: { userArn: spec.callerArn, accountId: ACCOUNT } } } : {}),
      },
      body: encoded,
      isBase64Encoded: spec.base64 === true,
    };
  }
  return {
    resource: '/token',
    path: '/token',
    httpMethod: method,
    headers: ct.length > 0 ? { 'Content-Type': ct[0] } : {},
    multiValueHeaders: ct.length > 0 ? { 'Content-Type': ct } : {},
    requestContext: { requestId: 'req-1', identity: spec.callerArn ? { userArn: spec.callerArn, accountId: ACCOUNT } : {} },
    body: encoded,
    isBase64Encoded: spec.base64 === true,
  };
}

export const roleSession = (role: string, session = 'i-0abc'): string => `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${session}`;

/** Runs one exchange; returns the status and parsed JSON body (and headers). */
export async function runExchange(exchange: Exchange, spec: EventSpec) {
  const res = await handleExchangeEvent(exchange, exchangeEvent(spec));
  return { status: res.statusCode, headers: res.headers, json: JSON.parse(res.body) as Record<string, unknown> };
}

/** The payload of a compact JWS, without verifying it (tests check the signature separately). */
export function payloadOf(jws: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Signs a JWS with any P-256 private JWK under any header: for forged and foreign subjects (no signer cache involved). */
export function signRaw(header: Record<string, unknown>, claims: Record<string, unknown>, privateJwk: Record<string, unknown>): string {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const key = createPrivateKey({ key: privateJwk as JsonWebKey, format: 'jwk' });
  return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

// Actor resolution (actor-behaviour): a verifier of the test IdP's tokens under any issuer configuration (e.g. with aliases).
export function idpVerifier(issuers: readonly Record<string, unknown>[]): IssuerVerifiers {
  return new IssuerVerifiers(parseIssuers(issuers, { allowLoopbackHttp: false }), {
    clockSkewSeconds: 30,
    maxTokenBytes: 8192,
    jwksSnapshot: parseJwksSnapshot({ 'https://idp.test/jwks': snapshotFileEntry({ keys: [idpKey.jwk] }, new Date()) }),
  });
}
