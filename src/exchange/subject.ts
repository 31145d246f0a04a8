// The subject_token: an assertion meshgate itself signed (hop 0 or delegated), verified against its own key set.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { ASSERTION_TYP, DELEGATED_ASSERTION_TYP, MAX_ASSERTION_TTL_SECONDS, MAX_DELEGATION_DEPTH } from '@meshgate/consumer';
import { scopeTokens, type IdentityType } from '../auth/identity';
import type { SigningKey, SigningKeySet } from '../keys/key-set';
import { isPlainObject } from '../config/check';
import { refuse } from './oauth-error';

/** RFC 8693 §4.1 actor claim: the current actor outermost, each previous one nested in `act`. */
export interface ActClaim {
  readonly sub: string;
  readonly act?: ActClaim;
}

/** A subject assertion whose signature, issuer and lifetime checked out, with its chain read and checked. */
export interface VerifiedSubject {
  readonly delegated: boolean;
  readonly aud: string;
  readonly sub: string;
  readonly type: IdentityType;
  readonly scopes: readonly string[];
  readonly groups: readonly string[];
  readonly tenant: string | undefined;
  readonly clientId: string | undefined;
  readonly srcIss: string;
  readonly exp: number;
  readonly jti: string;
  /** The hop-0 `jti`: the subject's `txn`, or its own `jti` for a hop-0 assertion. */
  readonly txn: string;
  /** Service audiences from the first service to the current actor; empty at hop 0. */
  readonly chain: readonly string[];
}

export interface SubjectSettings {
  /** meshgate's own issuer (`iss`). */
  readonly issuer: string;
  readonly clockSkewSeconds: number;
}

const COMPACT = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{86})$/;
const MAX_SUBJECT_CHARS = 8192;
const TYPES: readonly string[] = ['user', 'service', 'iam'];
const invalid = (reason: string, description: string) => refuse('invalid_request', reason, `subject_token: ${description}`);

function json(b64: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(b64, 'base64url').toString('utf8'));
  } catch {
    throw invalid('subject_malformed', `${what} is not base64url JSON`);
  }
  if (!isPlainObject(value)) throw invalid('subject_malformed', `${what} is not an object`);
  return value;
}

const publicKeys = new Map<string, KeyObject>();

function publicKeyOf(key: SigningKey): KeyObject {
  let found = publicKeys.get(key.kid);
  if (found === undefined) {
    const { kty, crv, x, y } = key.privateJwk;
    found = createPublicKey({ key: { kty, crv, x, y }, format: 'jwk' });
    if (publicKeys.size > 16) publicKeys.clear();
    publicKeys.set(key.kid, found);
  }
  return found;
}

const str = (claims: Record<string, unknown>, name: string): string => {
  const v = claims[name];
  if (typeof v !== 'string' || v.length === 0) throw invalid('subject_claims', `claim ${name} must be a non-empty string`);
  return v;
};
const optionalStr = (claims: Record<string, unknown>, name: string): string | undefined =>
  claims[name] === undefined ? undefined : str(claims, name);
const num = (claims: Record<string, unknown>, name: string): number => {
  const v = claims[name];
  if (!Number.isInteger(v)) throw invalid('subject_claims', `claim ${name} must be an integer`);
  return v as number;
};
function stringList(claims: Record<string, unknown>, name: string, max: number): string[] {
  const v = claims[name];
  if (!Array.isArray(v) || v.length > max || !v.every((s) => typeof s === 'string' && s.length > 0))
    throw invalid('subject_claims', `claim ${name} must be a list of at most ${max} non-empty strings`);
  return v as string[];
}

/** `act` must be exactly the chain, newest outermost: anything else was not minted by this exchange. */
function actMatchesChain(act: unknown, chain: readonly string[]): boolean {
  let node = act;
  for (let i = chain.length - 1; i >= 0; i--) {
    if (!isPlainObject(node) || node.sub !== chain[i] || !Object.keys(node).every((k) => k === 'sub' || k === 'act')) return false;
    node = node.act;
  }
  return node === undefined;
}

function readChain(claims: Record<string, unknown>, delegated: boolean, jti: string): { chain: string[]; txn: string } {
  if (!delegated) {
    // A hop-0 assertion has no actor: `act`, `act_sub` or `chain` on one is a forgery or another profile.
    if (claims.act !== undefined || claims.act_sub !== undefined || claims.chain !== undefined)
      throw invalid('subject_act_forged', 'an identity+jwt assertion carries no act, act_sub or chain');
    if (claims.txn !== undefined && claims.txn !== jti) throw invalid('subject_claims', 'a hop-0 txn must be its own jti');
    return { chain: [], txn: jti };
  }
  const chain = stringList(claims, 'chain', MAX_DELEGATION_DEPTH);
  if (chain.length === 0) throw invalid('subject_act_forged', 'a delegated assertion names at least one actor');
  if (claims.act_sub !== chain[chain.length - 1] || !actMatchesChain(claims.act, chain))
    throw invalid('subject_act_forged', 'act, act_sub and chain disagree');
  return { chain, txn: str(claims, 'txn') };
}

/**
 * Verifies a subject assertion: compact ES256 JWS, `typ` `identity+jwt` or `delegated-identity+jwt`, `kid` one of
 * the key set's (current, next, previous), signature, `iss` = meshgate, lifetime ≤ 300 s, not expired, not issued
 * in the future; then its claims and, for a delegated one, `act`/`act_sub`/`chain` agreeing with each other.
 * Every failure is `invalid_request` (RFC 8693 §2.2.2).
 *
 * @example
 * // given: declare const token: string, keySet: SigningKeySet;
 * const subject = verifySubject(token, keySet, { issuer: 'https://meshgate.example.com', clockSkewSeconds: 30 }, Math.floor(Date.now() / 1000));
 */
export function verifySubject(token: string, keySet: SigningKeySet, settings: SubjectSettings, nowSeconds: number): VerifiedSubject {
  const parts = token.length > MAX_SUBJECT_CHARS ? null : COMPACT.exec(token);
  if (parts === null) throw invalid('subject_malformed', 'not a compact ES256 JWS');
  const [, headerB64, payloadB64, signatureB64] = parts as unknown as [string, string, string, string];
  const unverifiedHeader = json(headerB64, 'header');
  if (unverifiedHeader.alg !== 'ES256') throw invalid('subject_alg', 'alg must be ES256');
  if (unverifiedHeader.crit !== undefined) throw invalid('subject_malformed', 'crit is not supported');
  const typ = unverifiedHeader.typ;
  if (typ !== ASSERTION_TYP && typ !== DELEGATED_ASSERTION_TYP)
    throw invalid('subject_typ', `typ must be ${ASSERTION_TYP} or ${DELEGATED_ASSERTION_TYP}`);
  const key = [keySet.current, keySet.next, keySet.previous].find((k) => k !== undefined && k.kid === unverifiedHeader.kid);
  if (key === undefined) throw invalid('subject_key_unknown', 'not signed by a key of meshgate’s key set');
  const signature = Buffer.from(signatureB64, 'base64url');
  if (!verify('sha256', Buffer.from(`${headerB64}.${payloadB64}`), { key: publicKeyOf(key), dsaEncoding: 'ieee-p1363' }, signature))
    throw invalid('subject_signature', 'signature does not verify');

  const claims = json(payloadB64, 'payload');
  if (claims.iss !== settings.issuer) throw invalid('subject_issuer', 'not issued by this meshgate');
  const iat = num(claims, 'iat');
  const exp = num(claims, 'exp');
  if (exp <= iat || exp - iat > MAX_ASSERTION_TTL_SECONDS) throw invalid('subject_lifetime', 'lifetime is invalid');
  if (iat > nowSeconds + settings.clockSkewSeconds) throw invalid('subject_lifetime', 'issued in the future');
  if (exp <= nowSeconds) throw invalid('subject_expired', 'expired');
  const type = str(claims, 'type');
  if (!TYPES.includes(type)) throw invalid('subject_claims', 'claim type must be user, service or iam');
  const scope = claims.scope === undefined ? '' : claims.scope;
  if (typeof scope !== 'string') throw invalid('subject_claims', 'claim scope must be a string');
  const jti = str(claims, 'jti');
  const delegated = typ === DELEGATED_ASSERTION_TYP;
  return Object.freeze({
    delegated,
    aud: str(claims, 'aud'),
    sub: str(claims, 'sub'),
    type: type as IdentityType,
    scopes: Object.freeze(scopeTokens(scope)),
    groups: Object.freeze(claims.groups === undefined ? [] : stringList(claims, 'groups', 256)),
    tenant: optionalStr(claims, 'tenant'),
    clientId: optionalStr(claims, 'client_id'),
    srcIss: str(claims, 'src_iss'),
    exp,
    jti,
    ...readChain(claims, delegated, jti),
  });
}
