// Where the signing key set lives: one interface, one adapter per backend (Secrets Manager in AWS, a file locally).
import type { ErrorCode } from '../errors';
import type { SigningKeySet } from './key-set';

/** The codes a key store (or the public-JWKS source) fails with when it cannot hand out keys: all 503. */
export const KEY_STORE_FAILURE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'key_set_unavailable',
  'key_set_empty',
  'key_secret_not_found',
  'secrets_manager_unreachable',
  'key_file_missing',
]);

export interface KeyStore {
  /** The key set currently in force (`AWSCURRENT` in Secrets Manager). Adapters may cache it briefly. */
  load(): Promise<SigningKeySet>;
}
