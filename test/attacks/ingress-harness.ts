// The real ingress on loopback for attack corpora and fuzzing: FileKeyStore in a temp dir, a recording upstream,
// the published JWKS on a loopback server and the consumer module that checks every forwarded assertion.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadIngressConfig } from '../../functions/ingress/config';
import { createAssertionVerifier, type AssertionVerifier, type TrustedIdentity } from '@meshgate/consumer';
import { buildIngress, type Ingress } from '../../src/ingress/pipeline';
import { publicJwks, type SigningKeySet } from '../../src/keys/key-set';
import { FileKeyStore } from '../../src/keys/key-store-file';
import { startJwksServer, type JwksServer } from '../support/jwks-server';
import { TEST_ROUTES_JSON } from '../support/ingress-routes';
import { startUpstream, type SeenRequest, type UpstreamServer } from '../support/upstream-server';

export const ASSERTION_ISSUER = 'http://127.0.0.1:3000';
export const DEMO_AUDIENCE = TEST_ROUTES_JSON.upstreams.demo.audience;
/** The only x-identity-* headers an upstream may ever see: meshgate's own. */
export const OWN_IDENTITY_HEADERS: ReadonlySet<string> = new Set(
  ['sub', 'iss', 'type', 'scopes', 'groups', 'tenant', 'client', 'assertion'].map((n) => `x-identity-${n}`),
);

export interface IngressHarness {
  readonly ingress: Ingress;
  readonly upstream: UpstreamServer;
  readonly keySet: SigningKeySet;
  readonly jwks: JwksServer;
  readonly verifier: AssertionVerifier;
  close(): Promise<void>;
}

export async function startIngressHarness(): Promise<IngressHarness> {
  const upstream = await startUpstream();
  const dir = mkdtempSync(join(tmpdir(), 'meshgate-attacks-'));
  const keySet = await new FileKeyStore(join(dir, 'keys.json')).createIfMissing();
  const jwks = await startJwksServer(publicJwks(keySet).keys as unknown as Record<string, string>[]);
  const env = {
    MESHGATE_UPSTREAMS: JSON.stringify({ demo: upstream.url }),
    MESHGATE_ALLOW_LOOPBACK_HTTP: 'true',
    MESHGATE_ASSERTION_ISSUER: ASSERTION_ISSUER,
    MESHGATE_KEY_STORE: 'file',
    MESHGATE_KEYS_FILE: join(dir, 'keys.json'),
    MESHGATE_KEY_CACHE_TTL_MS: '60000',
    MESHGATE_RESERVED_HEADERS: 'x-user-id, x-internal-*',
  };
  const ingress = buildIngress(() => loadIngressConfig(env, TEST_ROUTES_JSON));
  assert.equal(ingress.ok, true);
  const verifier = createAssertionVerifier({ issuer: ASSERTION_ISSUER, audience: DEMO_AUDIENCE, jwksUri: jwks.jwksUri });
  return {
    ingress,
    upstream,
    keySet,
    jwks,
    verifier,
    close: async () => {
      await Promise.all([upstream.close(), jwks.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every value the upstream received for a header (case-insensitive), from the raw header list. */
export function rawValues(seen: SeenRequest, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < seen.rawHeaders.length; i += 2)
    if ((seen.rawHeaders[i] as string).toLowerCase() === name) out.push(seen.rawHeaders[i + 1] as string);
  return out;
}

/**
 * The invariants of every forwarded request: only meshgate's own x-identity-* headers, each exactly once (also in
 * the `x_identity_*` spelling), no CR/LF/NUL in any value, and an assertion that verifies against the published JWKS
 * through the consumer module and binds `req` to the method and path the upstream saw. Returns the trusted identity.
 */
export async function assertForwardedSafely(h: IngressHarness, seen: SeenRequest): Promise<TrustedIdentity> {
  const names = new Map<string, number>();
  for (let i = 0; i + 1 < seen.rawHeaders.length; i += 2) {
    const name = (seen.rawHeaders[i] as string).toLowerCase();
    const value = seen.rawHeaders[i + 1] as string;
    assert.doesNotMatch(value, /[\r\n\0]/, `header ${name} carries CR, LF or NUL`);
    const canonical = name.replaceAll('_', '-');
    if (canonical.startsWith('x-identity-')) {
      assert.ok(OWN_IDENTITY_HEADERS.has(name), `an inbound identity header reached the upstream: ${name}`);
      names.set(name, (names.get(name) ?? 0) + 1);
    }
  }
  for (const [name, count] of names) assert.equal(count, 1, `${name} reached the upstream ${count} times`);
  for (const required of ['x-identity-sub', 'x-identity-iss', 'x-identity-type', 'x-identity-assertion'])
    assert.equal(names.get(required), 1, `${required} missing`);
  // The consumer recomputes req = requestHash(method, path) from the request line the upstream served.
  const trusted = await h.verifier.verify({ method: seen.method, path: seen.url, headers: seen.headers });
  await assert.rejects(
    h.verifier.verify({ method: seen.method === 'GET' ? 'POST' : 'GET', path: seen.url, headers: seen.headers }),
    (err: { code?: string }) => err.code === 'assertion_request_mismatch',
    'the assertion is bound to the method',
  );
  return trusted;
}

/** Own property names of Object.prototype, to prove nothing was added by a request. */
export function prototypeSnapshot(): string[] {
  return Object.getOwnPropertyNames(Object.prototype).sort();
}
