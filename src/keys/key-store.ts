// Where the signing key set lives: one interface, one adapter per backend (Secrets Manager in AWS, a file locally).
import type { SigningKeySet } from './key-set';

export interface KeyStore {
  /** The key set currently in force (`AWSCURRENT` in Secrets Manager). Adapters may cache it briefly. */
  load(): Promise<SigningKeySet>;
}
