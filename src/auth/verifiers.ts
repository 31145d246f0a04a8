// One aws-jwt-verify verifier over every trusted issuer, sharing one JWKS cache; errors mapped to meshgate codes.
import { JwtVerifier } from 'aws-jwt-verify';
import { SimplePenaltyBox, type JwksCache } from 'aws-jwt-verify/jwk';
import type { JwtHeader, JwtPayload } from 'aws-jwt-verify/jwt-model';
import * as jwtErrors from 'aws-jwt-verify/error';
import { TokenError, type ErrorCode } from '../errors';
import { normaliseTyp, type IssuerConfig } from '../config/issuers';
import { JwksFetcher, type JwksFetcherOptions } from './jwks-fetcher';
import { RefreshingJwksCache, type JwksFreshness, type KeySetStamp } from './jwks-cache';
import type { JwksSnapshot } from './jwks-snapshot';
import { logger } from '../observability';
import { precheckToken, type DecomposedJwt } from './token-precheck';

export interface VerifierOptions {
  readonly clockSkewSeconds: number;
  readonly maxTokenBytes: number;
  /** Seconds before a `kid` that was not found may trigger another JWKS fetch. @default 10 */
  readonly unknownKidPenaltySeconds?: number;
  readonly fetcher?: JwksFetcherOptions;
  /** JWKS per JWKS URI with their fetch times, taken at package time: a cold-start seed of that age, never a pin. */
  readonly jwksSnapshot?: JwksSnapshot;
  /** After a failed JWKS fetch, no other fetch of that URI for this long. @default 10 */
  readonly jwksRetryAfterFailureSeconds?: number;
  /** Epoch ms, for the JWKS cache's ages. @default Date.now */
  readonly now?: () => number;
}

export interface VerifiedToken {
  readonly issuer: IssuerConfig;
  readonly payload: JwtPayload;
  /** The key set that verified it: see {@link IssuerVerifiers.stillTrusts}. */
  readonly keys: KeySetStamp;
}

/** How far in the future a snapshot's fetch time may be (clock skew) before it counts as untrustworthy. */
const SNAPSHOT_CLOCK_SKEW_MS = 300_000;

export type VerifyProps = {
  issuer: string;
  audience: string[] | null;
  jwksUri: string;
  graceSeconds: number;
  customJwtCheck: (props: { header: JwtHeader; payload: JwtPayload }) => void;
};

// Subclassed only to verify a token we already decomposed (one parse per request, not two): the public verify() would
// decompose it again with a reviver-based parse. The price is reliance on two protected methods, which
// test/auth/aws-jwt-verify-contract.test.ts pins to the reviewed version and checks against the public verify().
// Exported for that test only.
export class DecomposedJwtVerifier extends JwtVerifier<VerifyProps, VerifyProps, true> {
  static build(props: VerifyProps[], jwksCache: JwksCache): DecomposedJwtVerifier {
    return new DecomposedJwtVerifier(props, jwksCache);
  }

  verifyDecomposed(jwt: DecomposedJwt, props: VerifyProps): JwtPayload | Promise<JwtPayload> {
    try {
      return this.verifyDecomposedJwtSync(jwt, props.jwksUri, props);
    } catch (err) {
      // Not cached yet (cold start without snapshot) or a kid we have not seen: the async path fetches once.
      if (err instanceof jwtErrors.JwksNotAvailableInCacheError || err instanceof jwtErrors.KidNotFoundInJwksError) {
        return this.verifyDecomposedJwt(jwt, props.jwksUri, props);
      }
      throw err;
    }
  }
}

const LIBRARY_ERROR_CODES: ReadonlyArray<[new (...args: never[]) => Error, ErrorCode]> = [
  [jwtErrors.JwtExpiredError, 'token_expired'],
  [jwtErrors.JwtNotBeforeError, 'token_not_yet_valid'],
  [jwtErrors.JwtInvalidIssuerError, 'issuer_untrusted'],
  [jwtErrors.JwtInvalidAudienceError, 'audience_mismatch'],
  [jwtErrors.JwtInvalidSignatureAlgorithmError, 'token_alg_not_allowed'],
  [jwtErrors.JwtInvalidSignatureError, 'token_signature_invalid'],
  [jwtErrors.JwkValidationError, 'token_signature_invalid'],
  [jwtErrors.JwkInvalidUseError, 'token_signature_invalid'],
  [jwtErrors.JwkInvalidKtyError, 'token_signature_invalid'],
  [jwtErrors.KidNotFoundInJwksError, 'token_kid_unknown'],
  [jwtErrors.JwtWithoutValidKidError, 'token_kid_unknown'],
  [jwtErrors.WaitPeriodNotYetEndedJwkError, 'token_kid_unknown'],
  [jwtErrors.FetchError, 'jwks_unavailable'],
  [jwtErrors.JwksValidationError, 'jwks_unavailable'],
  [jwtErrors.JwksNotAvailableInCacheError, 'jwks_unavailable'],
  [jwtErrors.JwtParseError, 'token_malformed'],
];

/** Turns anything a verification throws into a {@link TokenError} with a stable code; messages never carry the token. */
export function toTokenError(err: unknown): TokenError {
  if (err instanceof TokenError) return err;
  for (const [cls, code] of LIBRARY_ERROR_CODES) {
    if (err instanceof cls) return new TokenError(code, err.message, { cause: err });
  }
  return new TokenError('token_claim_invalid', 'token could not be verified', { cause: err });
}

function typAllowed(typ: unknown, allowed: ReadonlySet<string>): boolean {
  // Most tokens carry the configured spelling already: only other spellings pay for normalising.
  return typeof typ === 'string' && (allowed.has(typ) || allowed.has(normaliseTyp(typ)));
}

// Runs after the signature and the standard claims verified: nothing here answers a caller who holds no key.
function customCheck(cfg: IssuerConfig, skew: number): VerifyProps['customJwtCheck'] {
  const allowedTyp = cfg.allowedTyp === undefined ? undefined : new Set(cfg.allowedTyp);
  const typList = cfg.allowedTyp?.join(', ');
  const maxLifetime = cfg.maxTokenLifetimeSeconds;
  return ({ header, payload }) => {
    if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + skew) {
      throw new TokenError('token_iat_in_future', 'token iat is in the future');
    }
    if (allowedTyp !== undefined && !typAllowed(header.typ, allowedTyp)) {
      throw new TokenError('token_typ_not_allowed', `token typ header must be one of ${typList}`);
    }
    if (maxLifetime !== undefined) {
      if (typeof payload.iat !== 'number')
        throw new TokenError('token_lifetime_too_long', 'token has no iat, so its lifetime cannot be bounded');
      // exp is a finite number here: precheckToken refuses a token without one.
      if ((payload.exp as number) - payload.iat > maxLifetime)
        throw new TokenError('token_lifetime_too_long', `token lifetime (exp - iat) exceeds ${maxLifetime} s`);
    }
    if (cfg.kind !== 'cognito') return;
    if (payload.token_use !== cfg.tokenUse) throw new TokenError('token_use_mismatch', `token_use must be ${cfg.tokenUse}`);
    const client = cfg.tokenUse === 'access' ? payload.client_id : payload.aud;
    // includes() of anything but a string is false.
    if (!cfg.audience.includes(client as string)) throw new TokenError('audience_mismatch', 'token client id is not accepted');
  };
}

/** Verifies tokens from any configured issuer (and its aliases). Build once per cold start. */
export class IssuerVerifiers {
  private readonly byIssuer = new Map<string, { cfg: IssuerConfig; props: VerifyProps }>();
  private readonly verifier: DecomposedJwtVerifier;
  private readonly jwksCache: RefreshingJwksCache;
  private readonly maxTokenBytes: number;

  constructor(issuers: readonly IssuerConfig[], options: VerifierOptions) {
    this.maxTokenBytes = options.maxTokenBytes;
    const all: VerifyProps[] = [];
    for (const cfg of issuers) {
      for (const iss of [cfg.issuer, ...cfg.aliases]) {
        const props: VerifyProps = {
          issuer: iss,
          audience: cfg.kind === 'cognito' ? null : [...cfg.audience],
          // An alias's JWKS sits under the alias (the issuer's own URI is left as it is); a function replacement, so no
          // `$` pattern in the alias is interpreted.
          jwksUri: cfg.jwksUri.replace(cfg.issuer.replace(/\/$/, ''), () => iss.replace(/\/$/, '')),
          graceSeconds: options.clockSkewSeconds,
          customJwtCheck: customCheck(cfg, options.clockSkewSeconds),
        };
        all.push(props);
        this.byIssuer.set(iss, { cfg, props });
      }
    }
    // An issuer and its aliases may share a URI: the strictest freshness wins.
    const freshness = new Map<string, JwksFreshness>();
    for (const { cfg, props } of this.byIssuer.values()) {
      const had = freshness.get(props.jwksUri);
      freshness.set(props.jwksUri, {
        maxAgeSeconds: Math.min(had?.maxAgeSeconds ?? Infinity, cfg.jwksMaxAgeSeconds),
        staleIfErrorSeconds: Math.min(had?.staleIfErrorSeconds ?? Infinity, cfg.jwksStaleIfErrorSeconds),
      });
    }
    this.jwksCache = new RefreshingJwksCache({
      fetcher: new JwksFetcher(options.fetcher),
      freshness,
      // Undefined options take the defaults (SimplePenaltyBox's 10 s, the cache's own).
      penaltyBox: new SimplePenaltyBox({ waitSeconds: options.unknownKidPenaltySeconds }),
      retryAfterFailureSeconds: options.jwksRetryAfterFailureSeconds,
      now: options.now,
      // Drops aws-jwt-verify's key objects of every issuer on that URI: a kid whose key changed is converted again.
      onKeySetChanged: (uri, jwks) => {
        for (const p of all) if (p.jwksUri === uri) this.verifier.cacheJwks(jwks, p.issuer);
      },
    });
    const now = (options.now ?? Date.now)();
    for (const [uri, entry] of options.jwksSnapshot ?? []) {
      if (!freshness.has(uri)) continue;
      const at = entry.fetchedAtMs;
      // No fetch time (an old snapshot) or one in the future: too old to trust alone, fetched at cold start.
      const untrusted = at === undefined || at > now + SNAPSHOT_CLOCK_SKEW_MS;
      if (untrusted)
        logger.warn('jwks snapshot has no usable fetchedAt: refetching at cold start; rerun meshgate snapshot-jwks', { jwksUri: uri });
      this.jwksCache.seed(uri, entry.jwks, untrusted ? 0 : Math.min(at, now));
    }
    this.verifier = DecomposedJwtVerifier.build(all, this.jwksCache);
  }

  /** JWKS URIs this verifier fetches from (for snapshots and diagnostics). */
  jwksUris(): string[] {
    return [...new Set([...this.byIssuer.values()].map((v) => v.props.jwksUri))];
  }

  /**
   * Fetches every issuer's JWKS that the snapshot did not provide or provided past its max age; concurrent callers
   * share one fetch per URI. Never rejects.
   */
  hydrate(): Promise<void> {
    return this.jwksCache.refreshDue(this.jwksUris());
  }

  /** Whether a verification stamped `keys` may still stand: its key set is still held, unchanged and trusted. */
  stillTrusts(keys: KeySetStamp): boolean {
    return this.jwksCache.stillTrusts(keys);
  }

  /**
   * Verifies a bearer token. Resolves with the issuer and verified payload, or rejects with a {@link TokenError}.
   *
   * @example
   * // given: declare const verifiers: IssuerVerifiers, token: string;
   * const { issuer, payload } = await verifiers.verify(token);
   */
  async verify(token: string): Promise<VerifiedToken> {
    try {
      const jwt = precheckToken(token, this.maxTokenBytes);
      // precheckToken: iss is a string or absent.
      const entry = this.byIssuer.get(jwt.payload.iss as string);
      if (!entry) throw new TokenError('issuer_untrusted', 'token issuer is not trusted');
      // Taken before verifying: a set fetched meanwhile gets a new generation, and the stamp then errs on re-verifying.
      const keys = this.jwksCache.stamp(entry.props.jwksUri);
      const payload = await this.verifier.verifyDecomposed(jwt, entry.props);
      return { issuer: entry.cfg, payload, keys };
    } catch (err) {
      throw toTokenError(err);
    }
  }
}
