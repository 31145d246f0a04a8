// `meshgate start` (`npm start`): the local stack on loopback: OIDC issuer, demo mesh services, serverless offline.
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import routesJson from '../../config/routes.json';
import { FileKeyStore, DEFAULT_LOCAL_KEYS_FILE } from '../keys/key-store-file';
import { startDemoService } from '../demo/mesh-service';
import { startOrdersService } from '../demo/orders-service';
import { startLocalIssuer, type LocalClient, type LocalIssuer } from '../local/oidc-issuer';
import { startOffline } from '../local/offline';
import type { Command } from './main';

const HOST = '127.0.0.1';

const USAGE = `usage: meshgate start [options]

Starts on ${HOST}: a real OIDC issuer (oidc-provider, client credentials), the demo mesh service
(verifies x-identity-assertion, echoes the identity it trusted), two delegation demo services (orders calls
payments for its caller through the token exchange) and the API through serverless offline (the real
authorizer, ingress, token exchange and JWKS functions). Ctrl-C stops everything.

options:
  --port <n>          API port (serverless offline)            default 3000
  --issuer-port <n>   OIDC issuer port                          default 4010
  --service-port <n>  demo mesh service port                    default 4001
  --lambda-port <n>   serverless offline Lambda invoke port     default 3002
  --orders-port <n>   demo orders service port                  default 4002
  --payments-port <n> demo payments service port                default 4003
  --keys-file <path>  local signing key set, created if absent  default ${DEFAULT_LOCAL_KEYS_FILE}
  --help              show this help`;

export interface StartOptions {
  readonly port: number;
  readonly issuerPort: number;
  readonly servicePort: number;
  readonly lambdaPort: number;
  readonly ordersPort: number;
  readonly paymentsPort: number;
  readonly keysFile: string;
}

const PORT_FLAGS = [
  ['port', 'port', 'API (serverless offline)', 3000],
  ['issuerPort', 'issuer-port', 'OIDC issuer', 4010],
  ['servicePort', 'service-port', 'demo mesh service', 4001],
  ['lambdaPort', 'lambda-port', 'serverless offline Lambda invoke', 3002],
  ['ordersPort', 'orders-port', 'demo orders service', 4002],
  ['paymentsPort', 'payments-port', 'demo payments service', 4003],
] as const;

function portValue(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 65535) throw new Error(`--${flag} must be a port number from 1 to 65535, got "${text}"`);
  return n;
}

/**
 * Parses `meshgate start` arguments; `undefined` means `--help`. Throws on a bad or unknown option.
 *
 * @example
 * parseStartArgs(['--port', '3100']) // { port: 3100, issuerPort: 4010, ... }
 */
export function parseStartArgs(argv: string[]): StartOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      'issuer-port': { type: 'string' },
      'service-port': { type: 'string' },
      'lambda-port': { type: 'string' },
      'orders-port': { type: 'string' },
      'payments-port': { type: 'string' },
      'keys-file': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return undefined;
  const ports = Object.fromEntries(PORT_FLAGS.map(([key, flag, , fallback]) => [key, portValue(flag, values[flag], fallback)])) as Record<
    (typeof PORT_FLAGS)[number][0],
    number
  >;
  const seen = new Map<number, string>();
  for (const [key, flag] of PORT_FLAGS) {
    const other = seen.get(ports[key]);
    if (other !== undefined) throw new Error(`--${flag} and --${other} are both ${ports[key]}: each service needs its own port`);
    seen.set(ports[key], flag);
  }
  return { ...ports, keysFile: values['keys-file'] ?? DEFAULT_LOCAL_KEYS_FILE };
}

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen(port, HOST, () => probe.close(() => done(true)));
  });
}

/** The first configured port something else already listens on, with the flag that changes it. */
export async function findBusyPort(opts: StartOptions): Promise<string | undefined> {
  for (const [key, flag, what] of PORT_FLAGS) {
    if (!(await portFree(opts[key])))
      return `port ${opts[key]} (${what}) is already in use: stop what holds it or choose another port with --${flag} <port>`;
  }
  return undefined;
}

/** The token request a user pastes: client credentials asking for every scope the client may have. */
export function tokenCurl(issuer: Pick<LocalIssuer, 'tokenEndpoint'>, client: LocalClient): string {
  return `curl -s -u ${client.clientId}:${client.clientSecret} -d grant_type=client_credentials -d "scope=${client.scope}" ${issuer.tokenEndpoint}`;
}

interface BannerTokens {
  /** demo-client: orders:read orders:write. */
  readonly demo: string;
  /** demo-shopper: orders:write payments:charge, what a checkout through orders → payments needs. */
  readonly shopper: string;
}

function banner(opts: StartOptions, issuer: LocalIssuer, serviceUrl: string, tokens: BannerTokens, seconds: string): string {
  const api = `http://${HOST}:${opts.port}`;
  const token = tokens.demo;
  const order = JSON.stringify({ sku: 'SKU-1001', quantity: 2 });
  const charge = JSON.stringify({ amount: 5, currency: 'EUR' });
  return `
meshgate local stack is ready (${seconds} s)

  API            ${api}   (serverless offline: authorizer, ingress, JWKS at /.well-known/jwks.json)
  OIDC issuer    ${issuer.issuer}   (clients demo-client, demo-reader, demo-shopper; client credentials)
  demo service   ${serviceUrl}   (verifies x-identity-assertion, echoes the identity it trusted)
  orders         http://${HOST}:${opts.ordersPort}   (calls payments for its caller: token exchange at ${api}/token)
  payments       http://${HOST}:${opts.paymentsPort}   (accepts delegated calls from orders-service only)
  signing keys   ${opts.keysFile}   (rotate: npm run rotate -- --local)

Try it (the token is valid for 10 minutes):

  curl -H "authorization: Bearer ${token}" ${api}/whoami

  curl -X POST -H "authorization: Bearer ${token}" -H "content-type: application/json" -d '${order}' ${api}/orders

Two hops, caller → orders → payments (payments answers with the caller and the chain it trusted):

  curl -X POST -H "authorization: Bearer ${tokens.shopper}" -H "content-type: application/json" -d '${charge}' ${api}/checkout

An undeclared hop: orders asks for payments' POST /refunds, which no edge allows; the exchange refuses it:

  curl -X POST -H "authorization: Bearer ${tokens.shopper}" -H "content-type: application/json" -d '${charge}' ${api}/refunds

Fresh tokens (each client secret is new on every start):

${issuer.clients
  .filter((c) => c.clientId.startsWith('demo-'))
  .map((c) => `  ${tokenCurl(issuer, c)}   # ${c.scope}`)
  .join('\n')}

Ctrl-C stops everything.
`;
}

/**
 * The MESHGATE_ISSUERS entry for the local issuer. config/routes.json names the demo services' clients under the
 * default issuer URL; on another --issuer-port that URL becomes an alias of the running issuer, so the services'
 * actor tokens still map to their principals.
 */
export function localTrust(issuer: Pick<LocalIssuer, 'issuer' | 'trustConfig'>): Record<string, unknown> {
  const named = new Set(
    Object.values(routesJson.upstreams).flatMap((u) => ('principals' in u ? u.principals.clients.map((c) => c.issuer) : [])),
  );
  named.delete(issuer.issuer);
  return named.size === 0 ? issuer.trustConfig : { ...issuer.trustConfig, aliases: [...named] };
}

/** Starts everything; on failure stops what already started, then rethrows. Resolves with the exit code. */
async function runStack(opts: StartOptions): Promise<number> {
  const startedAt = Date.now();
  const stops: Array<() => Promise<unknown>> = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };
  try {
    const keysFile = resolve(opts.keysFile);
    await new FileKeyStore(keysFile).createIfMissing();
    const issuer = await startLocalIssuer({ port: opts.issuerPort, host: HOST });
    stops.push(() => issuer.close());
    const api = `http://${HOST}:${opts.port}`;
    // Every demo service trusts the API's assertions: same issuer, same JWKS.
    const trusting = { host: HOST, issuer: api, jwksUri: `${api}/.well-known/jwks.json` };
    const { demo: demoUpstream, orders: ordersUpstream, payments: paymentsUpstream } = routesJson.upstreams;
    const demo = await startDemoService({ ...trusting, port: opts.servicePort, audience: demoUpstream.audience });
    stops.push(() => demo.close());
    const payments = await startDemoService({
      ...trusting,
      port: opts.paymentsPort,
      audience: paymentsUpstream.audience,
      verifier: { acceptActors: [ordersUpstream.audience] },
    });
    stops.push(() => payments.close());
    const orders = await startOrdersService({
      ...trusting,
      port: opts.ordersPort,
      audience: ordersUpstream.audience,
      tokenEndpoint: `${api}/token`,
      paymentsUrl: payments.url,
      paymentsAudience: paymentsUpstream.audience,
      actorToken: () => issuer.issueToken({ clientId: 'orders-service' }),
    });
    stops.push(() => orders.close());
    const offline = await startOffline({
      httpPort: opts.port,
      lambdaPort: opts.lambdaPort,
      issuers: [localTrust(issuer)],
      upstreams: { demo: demo.url, orders: orders.url, payments: payments.url },
      assertionIssuer: api,
      keysFile,
      onOutput: (text) => process.stdout.write(text),
    });
    stops.push(() => offline.stop());

    const tokens = { demo: await issuer.issueToken(), shopper: await issuer.issueToken({ clientId: 'demo-shopper' }) };
    console.log(banner(opts, issuer, demo.url, tokens, ((Date.now() - startedAt) / 1000).toFixed(1)));

    const signal = new Promise<number>((done) => {
      const onSignal = (name: NodeJS.Signals) => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        console.log(`\n${name}: stopping the local stack`);
        done(0);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    let stopping = false;
    const died = offline.exited.then((code) => {
      if (stopping) return 0;
      console.error(`meshgate start: serverless offline exited unexpectedly (code ${code}); stopping`);
      return 1;
    });
    const code = await Promise.race([signal, died]);
    stopping = true;
    await stopAll();
    return code;
  } catch (err) {
    await stopAll();
    throw err;
  }
}

export const command: Command = {
  summary: 'start the local stack (OIDC issuer, demo mesh service, serverless offline)',
  async run(argv: string[]): Promise<number> {
    let opts: StartOptions | undefined;
    try {
      opts = parseStartArgs(argv);
    } catch (err) {
      console.error(`meshgate start: ${(err as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (opts === undefined) {
      console.log(USAGE);
      return 0;
    }
    const busy = await findBusyPort(opts);
    if (busy !== undefined) {
      console.error(`meshgate start: ${busy}`);
      return 1;
    }
    try {
      return await runStack(opts);
    } catch (err) {
      console.error(`meshgate start: ${(err as Error).message}`);
      return 1;
    }
  },
};
