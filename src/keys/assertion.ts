// The identity assertion meshgate signs for upstream services: a compact ES256 JWS, `typ: identity+jwt`.
import { createPrivateKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { ASSERTION_TYP } from '@meshgate/consumer';
import type { IdentityType } from '../auth/identity';
import type { SigningKey } from './key-set';

// The wire format (header name, `typ`, lifetime cap, `req` and `body_sha256`) is defined once, in the consumer
// package that services verify with: callers import it from there.

export interface AssertionClaims {
  readonly iss: string;
  readonly aud: string;
  readonly sub: string;
  readonly type: IdentityType;
  /** Space-separated scopes. */
  readonly scope: string;
  readonly groups: readonly string[];
  readonly tenant?: string;
  readonly client_id?: string;
  readonly src_iss: string;
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
  /** {@link requestHash} of the request this assertion was issued for. */
  readonly req: string;
  /** {@link bodyDigest} of the exact body bytes forwarded (of no bytes when there is no body). */
  readonly body_sha256: string;
  /** The hop-0 `jti`, carried unchanged along a delegation chain: one request's whole tree in the logs. */
  readonly txn?: string;
}

// One randomBytes call per 256 ids: the per-call overhead (~2 µs) dominated assertion claims on the hot path.
let jtiPool = Buffer.alloc(0);
let jtiOffset = 0;

/** A 128-bit random assertion id (base64url). */
export function newJti(): string {
  if (jtiOffset + 16 > jtiPool.length) {
    jtiPool = randomBytes(16 * 256);
    jtiOffset = 0;
  }
  const id = jtiPool.toString('base64url', jtiOffset, jtiOffset + 16);
  jtiOffset += 16;
  return id;
}

// Per kid and typ: the private KeyObject and the encoded protected header, both the same for every assertion.
const signers = new Map<string, { key: KeyObject; header: string }>();

function signerFor(key: SigningKey, typ: string): { key: KeyObject; header: string } {
  const id = `${key.kid} ${typ}`;
  let signer = signers.get(id);
  if (signer === undefined) {
    signer = {
      key: createPrivateKey({ key: { ...key.privateJwk }, format: 'jwk' }),
      header: Buffer.from(JSON.stringify({ alg: 'ES256', typ, kid: key.kid })).toString('base64url'),
    };
    if (signers.size > 8) signers.clear();
    signers.set(id, signer);
  }
  return signer;
}

/**
 * Signs claims as a compact JWS with ES256 (`node:crypto`, IEEE P1363 signature encoding as RFC 7518 §3.4 requires).
 * `typ` is `identity+jwt` unless given (delegated assertions carry their own).
 *
 * @example
 * // given: import type { SigningKeySet } from './key-set';
 * // given: declare const claims: AssertionClaims, keySet: SigningKeySet;
 * const jws = signAssertion(claims, keySet.current);
 */
export function signAssertion(claims: AssertionClaims, key: SigningKey, typ: string = ASSERTION_TYP): string {
  const signer = signerFor(key, typ);
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const input = `${signer.header}.${payload}`;
  const signature = sign('sha256', Buffer.from(input), { key: signer.key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}
