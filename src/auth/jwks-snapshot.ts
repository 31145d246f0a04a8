// The JWKS snapshot format (config/jwks-snapshot.json): each issuer's key set and when it was fetched, one definition
// for `meshgate snapshot-jwks`, which writes it, and the authorizer, which seeds its JWKS cache from it.
import { assertIsJwks, type Jwks } from 'aws-jwt-verify/jwk';
import { ConfigError } from '../errors';

/** One JWKS URI's entry in the snapshot file. */
export interface JwksSnapshotEntry {
  readonly jwks: Jwks;
  /** When it was fetched (epoch ms); undefined for a snapshot written before fetch times were recorded. */
  readonly fetchedAtMs: number | undefined;
}

export type JwksSnapshot = ReadonlyMap<string, JwksSnapshotEntry>;

/**
 * The file entry for a JWKS fetched at `fetchedAt`: the key set's `keys` and an ISO 8601 `fetchedAt`.
 *
 * @example
 * // given: declare const uri: string, keys: unknown[];
 * const file = { [uri]: snapshotFileEntry({ keys }, new Date()) };
 */
export function snapshotFileEntry(jwks: { keys: unknown[] }, fetchedAt: Date): { fetchedAt: string; keys: unknown[] } {
  return { fetchedAt: fetchedAt.toISOString(), keys: jwks.keys };
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/**
 * Reads a snapshot file's JSON. Throws {@link ConfigError} naming the entry, e.g. `jwksSnapshot["https://…"].fetchedAt`:
 * a malformed snapshot is a build mistake, refused at cold start (and at package time) rather than half used.
 *
 * @example
 * const snapshot = parseJwksSnapshot({ 'https://idp.example.com/jwks': { fetchedAt: '2026-12-05T00:00:00Z', keys: [] } });
 */
export function parseJwksSnapshot(value: unknown): JwksSnapshot {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError('jwksSnapshot', 'must be an object of JWKS by JWKS URI (meshgate snapshot-jwks writes it)');
  }
  const entries = new Map<string, JwksSnapshotEntry>();
  for (const [uri, raw] of Object.entries(value as Record<string, unknown>)) {
    const path = `jwksSnapshot[${JSON.stringify(uri)}]`;
    const { fetchedAt, ...jwks } = (typeof raw === 'object' && raw !== null ? raw : {}) as { fetchedAt?: unknown };
    try {
      assertIsJwks(jwks);
    } catch (err) {
      throw new ConfigError(path, `is not a JWKS: ${(err as Error).message}`);
    }
    let fetchedAtMs: number | undefined;
    if (fetchedAt !== undefined) {
      fetchedAtMs = typeof fetchedAt === 'string' && ISO_INSTANT.test(fetchedAt) ? Date.parse(fetchedAt) : Number.NaN;
      if (!Number.isFinite(fetchedAtMs))
        throw new ConfigError(`${path}.fetchedAt`, 'must be an ISO 8601 UTC time, e.g. 2026-12-05T00:00:00.000Z');
    }
    entries.set(uri, { jwks: jwks, fetchedAtMs });
  }
  return entries;
}
