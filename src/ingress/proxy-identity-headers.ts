// The inbound header names the ingress never forwards by default: identity and routing headers that meshgate, its
// shipped sidecars and other proxies and AWS services write for the services behind them.

/** Inbound header names never forwarded: exact names and prefixes, lowercased, `_` read as `-`. */
export interface ReservedHeaders {
  readonly names: ReadonlySet<string>;
  readonly prefixes: readonly string[];
}

/**
 * A client reaches the ingress directly through API Gateway, so any of these it sends is forged; a service (or a
 * sidecar that keeps an inbound copy, as Envoy's XFCC `APPEND_FORWARD` does) would read it as the proxy's word.
 * Names are lowercase with `-` (`_` is read as `-`); `MESHGATE_RESERVED_HEADERS` adds more. docs/ingress.md lists them.
 */
export const DEFAULT_RESERVED_HEADERS: ReservedHeaders = {
  names: new Set([
    // Envoy / Istio: the peer's certificate identity (XFCC) and the path prefix a proxy removed.
    'x-forwarded-client-cert',
    'x-forwarded-prefix',
    // Other proxies' client certificates: Azure App Service (ARR), Google Cloud load balancer mTLS.
    'x-arr-clientcert',
    'x-client-cert',
    // VPC Lattice: the caller's VPC.
    'x-amzn-source-vpc',
    // oauth2-proxy `--pass-user-headers`.
    'x-forwarded-user',
    'x-forwarded-email',
    'x-forwarded-groups',
    'x-forwarded-preferred-username',
    'x-forwarded-access-token',
    // Google Cloud IAP's signed header.
    'x-goog-iap-jwt-assertion',
    // Kubernetes authenticating proxy, Apache `mod_auth*`, Authelia.
    'x-remote-user',
    'x-remote-group',
    'remote-user',
    'remote-groups',
    'remote-email',
    'remote-name',
    // Kong: the anonymous-consumer marker.
    'x-anonymous-consumer',
    // Client address claims: API Gateway writes X-Forwarded-For itself; these come from the client.
    'x-real-ip',
    'x-client-ip',
    'x-cluster-client-ip',
    'true-client-ip',
    'cf-connecting-ip',
    'fastly-client-ip',
    'x-azure-clientip',
    'x-azure-socketip',
    'x-azure-fdid',
    // A SigV4 caller's session token: half a credential, like the `authorization` header it travels with.
    'x-amz-security-token',
  ]),
  prefixes: [
    // meshgate's own contract headers, and the ones its shipped Envoy and Istio configurations write from claims.
    'x-identity-',
    'x-verified-',
    // Application Load Balancer: OIDC authentication (`-accesstoken`, `-identity`, `-data`) and mTLS (`-clientcert*`).
    'x-amzn-oidc-',
    'x-amzn-mtls-',
    // VPC Lattice (`-identity`, `-network`, `-target`) and Verified Access (`x-amzn-ava-user-context`).
    'x-amzn-lattice-',
    'x-amzn-ava-',
    // Envoy's own (`x-envoy-internal`, `-external-address`, `-original-path`, `-peer-metadata`, `-original-dst-host`, …).
    'x-envoy-',
    // oauth2-proxy and nginx `auth_request` (`x-auth-request-user`, `-email`, `-groups`, `-access-token`, …).
    'x-auth-request-',
    // Google Cloud IAP (`-email`, `-id`).
    'x-goog-authenticated-user-',
    // Azure App Service authentication (`x-ms-client-principal`, `-id`, `-name`, `-idp`) and its token store.
    'x-ms-client-principal',
    'x-ms-token-',
    // Kubernetes authenticating proxy extras, Pomerium, Cloudflare Access.
    'x-remote-extra-',
    'x-pomerium-',
    'cf-access-',
    // Kong authentication plugins (`x-consumer-id`, `x-credential-identifier`, `x-authenticated-userid`, …).
    'x-consumer-',
    'x-credential-',
    'x-authenticated-',
    // Grafana's auth proxy (`x-webauth-user`), nginx and Traefik client-certificate forwarding, GCP mTLS details.
    'x-webauth-',
    'x-ssl-client-',
    'x-forwarded-tls-client-cert',
    'x-client-cert-',
  ],
};

// One alternation of literal prefixes: a header name is tested once, not once per prefix.
const DEFAULT_PREFIX = new RegExp(
  `^(?:${DEFAULT_RESERVED_HEADERS.prefixes.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`,
);

/**
 * Whether an inbound header (name as `canonicalHeaderName` gives it) is reserved: by default or by `extra`.
 *
 * @example
 * isReservedHeader('x-amzn-oidc-identity', { names: new Set(), prefixes: [] }) // true
 */
export function isReservedHeader(canonical: string, extra: ReservedHeaders): boolean {
  if (DEFAULT_RESERVED_HEADERS.names.has(canonical) || DEFAULT_PREFIX.test(canonical) || extra.names.has(canonical)) return true;
  for (const prefix of extra.prefixes) if (canonical.startsWith(prefix)) return true;
  return false;
}
