// A real OIDC issuer (oidc-provider) on loopback: client-credentials JWT access tokens for the local stack and e2e tests.
import { createPrivateKey, createSign, generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The resource indicator (RFC 8707) clients ask tokens for; it must be an absolute URI, hence the `urn:`. */
export const LOCAL_RESOURCE = 'urn:meshgate';
/** The `aud` of every access token: what MESHGATE_ISSUERS lists as the audience. */
export const LOCAL_AUDIENCE = 'meshgate';
export const LOCAL_SCOPES = ['orders:read', 'orders:write', 'payments:charge', 'mesh:exchange'] as const;
/**
 * The demo mesh services' own clients: each authenticates as itself at the token exchange with a client-credentials
 * token (`actor_token`), since serverless offline cannot check SigV4. config/routes.json lists them as principals.
 */
export const LOCAL_SERVICE_CLIENTS = ['orders-service', 'payments-service'] as const;
/** Lifetime of the access tokens the local issuer hands out. */
export const LOCAL_TOKEN_TTL_SECONDS = 600;
/** The lifetime cap meshgate puts on this issuer's tokens: their TTL with room to spare, far below a forged ten-year token. */
export const LOCAL_MAX_TOKEN_LIFETIME_SECONDS = 900;

/** A confidential client of the local issuer (client credentials only). */
export interface LocalClient {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Scopes the client may ask for. */
  readonly scope: string;
}

export interface LocalIssuerOptions {
  /** @default 0 (the OS picks a free port) */
  readonly port?: number;
  /** @default 127.0.0.1 */
  readonly host?: string;
}

export interface TokenRequest {
  /** Space-separated scopes. @default every scope the client may ask for */
  readonly scope?: string;
  /**
   * Which client asks. @default 'demo-client' (orders:read orders:write); 'demo-reader' has orders:read only,
   * 'demo-shopper' orders:write payments:charge; the service clients ({@link LOCAL_SERVICE_CLIENTS}) mesh:exchange.
   */
  readonly clientId?: string;
}

export interface LocalIssuer {
  /** `iss` exactly as tokens carry it (no trailing slash). */
  readonly issuer: string;
  readonly jwksUri: string;
  readonly tokenEndpoint: string;
  readonly audience: string;
  /** `kid` of the signing key. */
  readonly kid: string;
  readonly clients: readonly LocalClient[];
  /** The MESHGATE_ISSUERS entry that trusts this issuer: RFC 9068 access tokens (`typ: at+jwt`) of a bounded lifetime only. */
  readonly trustConfig: { issuer: string; audience: string[]; jwksUri: string; allowedTyp: string[]; maxTokenLifetimeSeconds: number };
  /** Runs a real client-credentials request against the token endpoint and returns the access token. */
  issueToken(request?: TokenRequest): Promise<string>;
  /**
   * Signs arbitrary claims with the issuer's own key, bypassing oidc-provider: for tests only (expired tokens,
   * odd claims). Tokens issued this way are as trusted as real ones, which is the point.
   */
  signClaims(claims: Record<string, unknown>, header?: Record<string, unknown>): string;
  close(): Promise<void>;
}

// oidc-provider ships no types; this is the part of its surface used here.
interface ProviderInstance {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
}
interface OidcProviderModule {
  default: new (issuer: string, configuration: Record<string, unknown>) => ProviderInstance;
  errors: { InvalidTarget: new (description?: string) => Error };
}

// oidc-provider is ESM-only: a variable specifier keeps TypeScript (module: Preserve) from rewriting the import.
const OIDC_PROVIDER = 'oidc-provider';

/** Signs a compact RS256 JWS (`typ: at+jwt`, as oidc-provider does) with a key pair from node:crypto. */
export function signRs256(
  privateKey: KeyObject,
  kid: string,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): string {
  const h = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid, ...header })).toString('base64url');
  const p = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signature = createSign('RSA-SHA256').update(`${h}.${p}`).sign(privateKey).toString('base64url');
  return `${h}.${p}.${signature}`;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function demoClients(): LocalClient[] {
  const secret = () => randomBytes(18).toString('base64url');
  return [
    { clientId: 'demo-client', clientSecret: secret(), scope: 'orders:read orders:write' },
    { clientId: 'demo-reader', clientSecret: secret(), scope: 'orders:read' },
    { clientId: 'demo-shopper', clientSecret: secret(), scope: 'orders:write payments:charge' },
    ...LOCAL_SERVICE_CLIENTS.map((clientId) => ({ clientId, clientSecret: secret(), scope: 'mesh:exchange' })),
  ];
}

/**
 * Starts the local issuer. Signing keys and client secrets are generated at start and live only in memory.
 * A port in use rejects with the `EADDRINUSE` error from `listen`.
 *
 * @example
 * const idp = await startLocalIssuer({ port: 4010 });
 * const token = await idp.issueToken({ scope: 'orders:read' });
 * await idp.close();
 */
export async function startLocalIssuer(options: LocalIssuerOptions = {}): Promise<LocalIssuer> {
  const host = options.host ?? '127.0.0.1';
  const { default: Provider, errors } = (await import(OIDC_PROVIDER)) as OidcProviderModule;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  const signingJwk = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  const clients = demoClients();

  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => (handler ? handler(req, res) : res.writeHead(503).end()));
  const port = await listen(server, options.port ?? 0, host);
  const issuer = `http://${host}:${port}`;

  const provider = new Provider(issuer, {
    clients: clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: c.scope,
    })),
    jwks: { keys: [signingJwk] },
    scopes: [...LOCAL_SCOPES],
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    ttl: { ClientCredentials: LOCAL_TOKEN_TTL_SECONDS },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: false },
      revocation: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => LOCAL_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, indicator: string) => {
          if (indicator !== LOCAL_RESOURCE) throw new errors.InvalidTarget(`unknown resource ${indicator}`);
          return {
            scope: LOCAL_SCOPES.join(' '),
            audience: LOCAL_AUDIENCE,
            accessTokenFormat: 'jwt',
            accessTokenTTL: LOCAL_TOKEN_TTL_SECONDS,
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
  });
  handler = provider.callback();

  const tokenEndpoint = `${issuer}/token`;
  const jwksUri = `${issuer}/jwks`;
  const signer = createPrivateKey({ key: signingJwk, format: 'jwk' });

  async function issueToken(request: TokenRequest = {}): Promise<string> {
    const client = clients.find((c) => c.clientId === (request.clientId ?? 'demo-client'));
    if (!client) throw new Error(`unknown demo client ${request.clientId}`);
    const body = new URLSearchParams({ grant_type: 'client_credentials', scope: request.scope ?? client.scope });
    const basic = Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64');
    const res = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    const json = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
    if (!res.ok || typeof json.access_token !== 'string')
      throw new Error(`token request failed: ${res.status} ${json.error ?? ''} ${json.error_description ?? ''}`.trim());
    return json.access_token;
  }

  return {
    issuer,
    jwksUri,
    tokenEndpoint,
    audience: LOCAL_AUDIENCE,
    kid,
    clients,
    trustConfig: {
      issuer,
      audience: [LOCAL_AUDIENCE],
      jwksUri,
      allowedTyp: ['at+jwt'],
      maxTokenLifetimeSeconds: LOCAL_MAX_TOKEN_LIFETIME_SECONDS,
    },
    issueToken,
    signClaims: (claims, header) => signRs256(signer, kid, claims, header),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
