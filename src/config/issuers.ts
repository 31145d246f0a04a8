// The trusted-issuer list (MESHGATE_ISSUERS): parsed, checked and frozen once at cold start.
import { ConfigError } from '../errors';
import {
  readEnum,
  readHttpsUrl,
  type UrlOptions,
  readInteger,
  readObject,
  readOptionalString,
  readOptionalStringList,
  readStringList,
} from './check';

export type IssuerKind = 'oidc' | 'cognito';

/** How meshgate reads identity out of one issuer's verified claims. */
export interface ClaimNames {
  /** Claim holding groups or roles (string or list), e.g. `cognito:groups`, `groups`, `roles`. @default "groups" */
  readonly groups: string;
  /** Claim holding the tenant; no tenant when unset. */
  readonly tenant: string | undefined;
  /** Claim holding the OAuth client id. @default "client_id" (falls back to `azp`, then `cid`) */
  readonly clientId: string;
}

export interface IssuerConfig {
  /** `iss` exactly as the tokens carry it. */
  readonly issuer: string;
  /** Other `iss` values for the same identity source (e.g. replicated Cognito pools, one per Region). */
  readonly aliases: readonly string[];
  readonly kind: IssuerKind;
  /** Accepted `aud` values (oidc). For cognito, accepted client ids (`client_id` of access tokens, `aud` of id tokens). */
  readonly audience: readonly string[];
  /** Cognito only: `access` or `id`. */
  readonly tokenUse: 'access' | 'id' | undefined;
  /** JWKS location. @default `<issuer>/.well-known/jwks.json` */
  readonly jwksUri: string;
  /** Scopes every token from this issuer must carry, whatever the route. */
  readonly requiredScopes: readonly string[];
  readonly claims: ClaimNames;
  /**
   * Accepted JOSE `typ` header values, normalised by {@link normaliseTyp} (`at+jwt` for RFC 9068 access tokens).
   * A token without `typ`, or with another one, is refused. Unset: `typ` is not checked.
   */
  readonly allowedTyp: readonly string[] | undefined;
  /** Longest accepted `exp − iat`, in seconds; a token without `iat` is refused. Unset: no cap. */
  readonly maxTokenLifetimeSeconds: number | undefined;
}

const ISSUER_FIELDS = [
  'issuer',
  'aliases',
  'kind',
  'audience',
  'clientIds',
  'tokenUse',
  'jwksUri',
  'requiredScopes',
  'claims',
  'allowedTyp',
  'maxTokenLifetimeSeconds',
] as const;
const CLAIM_FIELDS = ['groups', 'tenant', 'clientId'] as const;
const CLAIM_NAME = { pattern: /^[A-Za-z0-9_:.\-/]{1,128}$/, hint: 'a claim name (letters, digits, _ : . - /)' };

const TYP = { pattern: /^[\x21-\x7e]+$/, hint: 'a media type in visible ASCII, e.g. at+jwt' };
const MEDIA_TYPE_PREFIX = 'application/';
/** Highest accepted maxTokenLifetimeSeconds (one year): a larger cap would bound nothing. */
const MAX_LIFETIME_CAP_SECONDS = 31_536_000;

/**
 * The canonical form of a JOSE `typ` value, so that equal media types compare equal: ASCII-lowercased (media types
 * are case-insensitive), `application/` dropped when nothing else in the value has a `/` (RFC 7515 §4.1.9).
 * Only A–Z are folded: `toLowerCase` would turn the Kelvin sign (U+212A) into `k` and let a look-alike match.
 *
 * @example
 * normaliseTyp('Application/AT+JWT') // 'at+jwt'
 * normaliseTyp('application/example/x') // 'application/example/x'
 */
export function normaliseTyp(typ: string): string {
  const lower = /[A-Z]/.test(typ) ? typ.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32)) : typ;
  return lower.startsWith(MEDIA_TYPE_PREFIX) && !lower.includes('/', MEDIA_TYPE_PREFIX.length)
    ? lower.slice(MEDIA_TYPE_PREFIX.length)
    : lower;
}

function readAllowedTyp(path: string, value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  const list = readStringList(path, value, TYP);
  const seen: string[] = [];
  list.forEach((typ, i) => {
    const itemPath = Array.isArray(value) ? `${path}[${i}]` : path;
    const canonical = normaliseTyp(typ);
    if (canonical.length === 0) throw new ConfigError(itemPath, 'must name a media type, e.g. at+jwt');
    if (seen.includes(canonical)) throw new ConfigError(itemPath, `repeats ${canonical} (case and the application/ prefix do not matter)`);
    seen.push(canonical);
  });
  return Object.freeze(seen);
}

export function defaultJwksUri(issuer: string): string {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/$/, '');
  return new URL(`${path}/.well-known/jwks.json`, url).href;
}

function parseIssuer(path: string, value: unknown, url: UrlOptions): IssuerConfig {
  const raw = readObject(path, value, ISSUER_FIELDS);
  const issuer = readHttpsUrl(`${path}.issuer`, raw.issuer, url);
  const kind =
    raw.kind === undefined
      ? /^https:\/\/cognito-idp\.[a-z0-9-]+\.amazonaws\.com\//.test(issuer)
        ? 'cognito'
        : 'oidc'
      : readEnum(`${path}.kind`, raw.kind, ['oidc', 'cognito'] as const);
  const aliases = readOptionalStringList(`${path}.aliases`, raw.aliases).map((a, i) => readHttpsUrl(`${path}.aliases[${i}]`, a, url));

  let audience: string[];
  let tokenUse: 'access' | 'id' | undefined;
  if (kind === 'cognito') {
    if (raw.audience !== undefined) throw new ConfigError(`${path}.audience`, 'cognito issuers take clientIds, not audience');
    audience = readStringList(`${path}.clientIds`, raw.clientIds);
    tokenUse = readEnum(`${path}.tokenUse`, raw.tokenUse, ['access', 'id'] as const);
  } else {
    if (raw.clientIds !== undefined) throw new ConfigError(`${path}.clientIds`, 'only cognito issuers take clientIds; use audience');
    if (raw.tokenUse !== undefined) throw new ConfigError(`${path}.tokenUse`, 'only cognito issuers take tokenUse');
    audience = readStringList(`${path}.audience`, raw.audience);
  }

  const claimsRaw = raw.claims === undefined ? {} : readObject(`${path}.claims`, raw.claims, CLAIM_FIELDS);
  const claims: ClaimNames = Object.freeze({
    groups: readOptionalString(`${path}.claims.groups`, claimsRaw.groups, CLAIM_NAME) ?? (kind === 'cognito' ? 'cognito:groups' : 'groups'),
    tenant: readOptionalString(`${path}.claims.tenant`, claimsRaw.tenant, CLAIM_NAME),
    clientId: readOptionalString(`${path}.claims.clientId`, claimsRaw.clientId, CLAIM_NAME) ?? 'client_id',
  });

  return Object.freeze({
    issuer,
    aliases: Object.freeze(aliases),
    kind,
    audience: Object.freeze(audience),
    tokenUse,
    jwksUri: raw.jwksUri === undefined ? defaultJwksUri(issuer) : readHttpsUrl(`${path}.jwksUri`, raw.jwksUri, url),
    requiredScopes: Object.freeze(readOptionalStringList(`${path}.requiredScopes`, raw.requiredScopes)),
    claims,
    allowedTyp: readAllowedTyp(`${path}.allowedTyp`, raw.allowedTyp),
    maxTokenLifetimeSeconds:
      raw.maxTokenLifetimeSeconds === undefined
        ? undefined
        : readInteger(`${path}.maxTokenLifetimeSeconds`, raw.maxTokenLifetimeSeconds, 1, MAX_LIFETIME_CAP_SECONDS),
  });
}

/**
 * Parses the trusted-issuer list. Throws {@link ConfigError} naming the field, e.g. `issuers[1].audience`.
 *
 * @example
 * parseIssuers([{ issuer: 'https://idp.example.com/', audience: ['orders-api'] }], { allowLoopbackHttp: false });
 */
export function parseIssuers(value: unknown, opts: UrlOptions): readonly IssuerConfig[] {
  if (!Array.isArray(value) || value.length === 0) throw new ConfigError('issuers', 'must be a non-empty list');
  const list = value.map((item, i) => parseIssuer(`issuers[${i}]`, item, opts));
  const seen = new Map<string, number>();
  list.forEach((cfg, i) => {
    for (const iss of [cfg.issuer, ...cfg.aliases]) {
      const first = seen.get(iss);
      if (first !== undefined) throw new ConfigError(`issuers[${i}]`, `issuer ${iss} is already configured at issuers[${first}]`);
      seen.set(iss, i);
    }
  });
  return Object.freeze(list);
}
