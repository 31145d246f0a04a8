// The CloudWatch metrics meshgate's code emits, found by running it: every ingress outcome, every authorizer decision,
// the rotation check's secrets report and the audit's counts, each captured as the EMF it writes to the log. The alarms
// and dashboard are checked against this list, so renaming a metric in the code breaks the deploy test, not production.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAuthorizerConfig } from '../../functions/authorizer/config';
import { loadIngressConfig } from '../../functions/ingress/config';
import { publishAuditMetrics } from '../../src/audit';
import { summarise } from '../../src/audit/summary';
import { authorizeEvent, buildAuthorizer } from '../../src/auth/authorizer';
import { ERROR_CODES, MeshgateError } from '../../src/errors';
import { buildIngress, handleIngressEvent } from '../../src/ingress/pipeline';
import { FileKeyStore } from '../../src/keys/key-store-file';
import { publishSecretsReport } from '../../src/rotation/schedule';
import { restTokenEvent } from '../support/authorizer-events';
import { restEvent } from '../support/events';
import { TEST_ROUTES_JSON } from '../support/ingress-routes';
import { handleExchangeEvent } from '../../src/exchange/exchange';
import { exchangeEvent, exchangeForm, hop0Claims, roleSession, signSubject, testExchange } from '../exchange/support';
import { startJwksServer } from '../support/jwks-server';
import { captureLogs } from '../support/logs';
import { nowSeconds, rsaKey, signJwt } from '../support/tokens';
import { startUpstream } from '../support/upstream-server';

export interface EmittedMetric {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: readonly (readonly string[])[];
  /** Each dimension's value on the line that wrote it (EMF reads them from the line's own fields). */
  readonly dimensionValues: Readonly<Record<string, unknown>>;
  /** Which code path wrote it (for messages). */
  readonly source: string;
}

type Emf = { _aws?: { CloudWatchMetrics?: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] } };

async function capture(source: string, run: () => Promise<unknown>): Promise<EmittedMetric[]> {
  const logs = captureLogs();
  try {
    await run();
  } finally {
    logs.stop();
  }
  return (logs.entries() as (Emf & Record<string, unknown>)[]).flatMap((e) =>
    (e._aws?.CloudWatchMetrics ?? []).flatMap((m) =>
      m.Metrics.filter((metric) => typeof e[metric.Name] === 'number').map((metric) => ({
        namespace: m.Namespace,
        name: metric.Name,
        dimensions: m.Dimensions,
        dimensionValues: Object.fromEntries(m.Dimensions.flat().map((d) => [d, e[d]])),
        source,
      })),
    ),
  );
}

async function ingressMetrics(): Promise<EmittedMetric[]> {
  const upstream = await startUpstream();
  const dir = await mkdtemp(join(tmpdir(), 'meshgate-metrics-'));
  try {
    const env = {
      MESHGATE_UPSTREAMS: JSON.stringify({ demo: upstream.url }),
      MESHGATE_ALLOW_LOOPBACK_HTTP: 'true',
      MESHGATE_ASSERTION_ISSUER: 'http://127.0.0.1:3000',
      MESHGATE_ASSERTION_TTL_SECONDS: '60',
      MESHGATE_KEY_STORE: 'file',
      MESHGATE_KEYS_FILE: join(dir, 'keys.json'),
    };
    await new FileKeyStore(env.MESHGATE_KEYS_FILE).createIfMissing();
    const ingress = buildIngress(() => loadIngressConfig(env, TEST_ROUTES_JSON));
    const forwarded = await capture('ingress: forwarded request', () => handleIngressEvent(ingress, restEvent()));
    // Every failure goes through the same catch and outcome table: an ingress whose build failed with `code` answers
    // every request with it, so this reaches the metric of every code's outcome.
    const failures = await capture('ingress: every error code', async () => {
      for (const code of ERROR_CODES) await handleIngressEvent({ ok: false, error: new MeshgateError(code, 'metric probe') }, restEvent());
    });
    return [...forwarded, ...failures];
  } finally {
    await upstream.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function authorizerMetrics(): Promise<EmittedMetric[]> {
  const key = rsaKey('metrics');
  const jwks = await startJwksServer([key.jwk]);
  try {
    const issuer = 'http://127.0.0.1/idp';
    const routes = {
      upstreams: { demo: { audience: 'demo' } },
      routes: [
        { method: 'GET', path: '/whoami', upstream: 'demo' },
        { method: 'POST', path: '/orders', upstream: 'demo', scopes: ['orders:write'] },
      ],
    };
    const env = {
      MESHGATE_ISSUERS: JSON.stringify([{ issuer, audience: ['meshgate'], jwksUri: jwks.jwksUri }]),
      MESHGATE_ALLOW_LOOPBACK_HTTP: 'true',
    };
    const authorizer = buildAuthorizer(() => loadAuthorizerConfig(env, routes));
    const token = signJwt(key, { iss: issuer, aud: 'meshgate', sub: 'probe', iat: nowSeconds(), exp: nowSeconds() + 300 });
    const decisions = await capture('authorizer: allow, deny, unauthorized', async () => {
      await authorizeEvent(authorizer, restTokenEvent(`Bearer ${token}`, 'GET', '/whoami'));
      await authorizeEvent(authorizer, restTokenEvent(`Bearer ${token}`, 'POST', '/orders'));
      await authorizeEvent(authorizer, restTokenEvent(undefined));
    });
    // The two states that refuse every caller, each reached for real: a configuration that does not load, and an
    // identity provider whose JWKS cannot be fetched (a cold start with no snapshot while it is down).
    const configInvalid = await capture('authorizer: configuration invalid', async () => {
      const broken = buildAuthorizer(() => loadAuthorizerConfig({ ...env, MESHGATE_ISSUERS: '[]' }, routes));
      await authorizeEvent(broken, restTokenEvent(`Bearer ${token}`, 'GET', '/whoami'));
    });
    jwks.mode = 'down';
    const jwksUnavailable = await capture('authorizer: identity provider JWKS unavailable', async () => {
      const cold = buildAuthorizer(() => loadAuthorizerConfig(env, routes));
      await authorizeEvent(cold, restTokenEvent(`Bearer ${token}`, 'GET', '/whoami'));
    });
    return [...decisions, ...configInvalid, ...jwksUnavailable];
  } finally {
    await jwks.close();
  }
}

/** The token exchange: one issued, one refused, one failed (its key store down). */
async function exchangeMetrics(): Promise<EmittedMetric[]> {
  const issued = testExchange();
  const failing = testExchange({ store: { load: () => Promise.reject(new Error('metric probe')) } });
  const spec = { callerArn: roleSession('orders'), form: exchangeForm(signSubject(hop0Claims('orders-service'))) };
  return capture('exchange: issued, refused, failed', async () => {
    await handleExchangeEvent(issued, exchangeEvent(spec));
    await handleExchangeEvent(issued, exchangeEvent({ ...spec, callerArn: roleSession('stranger') }));
    await handleExchangeEvent(failing, exchangeEvent(spec));
  });
}

/**
 * Runs each metric-emitting code path once and returns what it wrote, deduplicated by namespace and name.
 *
 * @example
 * const names = new Set((await emittedMetrics()).map((m) => m.name));
 */
export async function emittedMetrics(): Promise<EmittedMetric[]> {
  const all = [
    ...(await ingressMetrics()),
    ...(await authorizerMetrics()),
    ...(await exchangeMetrics()),
    ...(await capture('scheduled function: secrets report', async () =>
      publishSecretsReport({ checked: 0, rotationsStarted: [], findings: [], errors: [] }),
    )),
    ...(await capture('audit function: audit counts', async () =>
      publishAuditMetrics(summarise([], { sources: [], documents: 0, statements: 0, routes: 0, secrets: 0 })),
    )),
  ];
  const seen = new Map<string, EmittedMetric>();
  for (const m of all) if (!seen.has(`${m.namespace}/${m.name}`)) seen.set(`${m.namespace}/${m.name}`, m);
  return [...seen.values()];
}
