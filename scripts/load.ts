// `npm run load`: drives the local stack with autocannon on loopback and reports what meshgate adds over the bare service.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import routesJson from '../config/routes.json';
import { startDemoService } from '../src/demo/mesh-service';
import { encodeIdentityValue } from '../src/ingress/headers';
import { bodyDigest, requestHash, ASSERTION_HEADER } from '@meshgate/consumer';
import { newJti, signAssertion } from '../src/keys/assertion';
import { FileKeyStore } from '../src/keys/key-store-file';
import { startLocalIssuer } from '../src/local/oidc-issuer';
import { startOffline } from '../src/local/offline';
import { acquireServerlessLock } from '../test/e2e/support/serverless-lock';

const USAGE = `usage: npm run load -- [--duration <s>] [--connections <n>]

Starts the local stack on 127.0.0.1 (OIDC issuer, demo mesh service, serverless offline with the real authorizer
and ingress), then runs autocannon twice for the same time: (a) GET /whoami through API → authorizer → ingress →
demo service, (b) GET /whoami straight at the demo service with an assertion signed by the load generator.
Reports requests/s, p50/p99 latency and errors for both, and the overhead meshgate adds. Every (a) request also
carries spoofed x-identity-* headers; every response is checked: the identity the demo service trusted must be the
token's subject. Exits 1 on any 5xx, error, unexpected status or identity leak.

options:
  --duration <s>      seconds per run (1-120)            default 10
  --connections <n>   concurrent connections (1-200)     default 10  (serverless offline is slow: ~10 fits 2 cores)
  --help              show this help`;

const SPOOFED = 'spoofed-by-load';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  errors: number;
  timeouts: number;
  '2xx': number;
  non2xx: number;
  '5xx': number;
}
type OnResponse = (status: number, body: string) => void;
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(__filename)('autocannon') as Autocannon;

interface RunReport {
  readonly name: string;
  readonly result: AutocannonResult;
  readonly checked: number;
  readonly leaks: string[];
  readonly unexpected: Map<number, number>;
}

function intOption(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new Error(`--${name} must be an integer from ${min} to ${max}, got "${text}"`);
  return n;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Checks every response body the demo service sends back: the trusted identity and the identity headers it saw. */
function checker(
  expectedSub: string,
  checkHeaders: boolean,
): { onResponse: OnResponse; checked: () => number; leaks: string[]; unexpected: Map<number, number> } {
  const leaks: string[] = [];
  const unexpected = new Map<number, number>();
  let checked = 0;
  const onResponse: OnResponse = (status, body) => {
    if (status !== 200) {
      unexpected.set(status, (unexpected.get(status) ?? 0) + 1);
      return;
    }
    checked++;
    let echo: { trusted?: { sub?: string }; headers?: Record<string, string> };
    try {
      echo = JSON.parse(body) as typeof echo;
    } catch {
      leaks.push('a 200 without the demo service JSON');
      return;
    }
    if (echo.trusted?.sub !== expectedSub) leaks.push(`trusted sub ${JSON.stringify(echo.trusted?.sub)}`);
    if (checkHeaders) {
      if (echo.headers?.['x-identity-sub'] !== encodeIdentityValue(expectedSub))
        leaks.push(`x-identity-sub ${JSON.stringify(echo.headers?.['x-identity-sub'])}`);
      if (body.includes(SPOOFED)) leaks.push('a spoofed x-identity-* header reached the service');
    }
  };
  return { onResponse, checked: () => checked, leaks, unexpected };
}

async function run(
  name: string,
  url: string,
  headers: Record<string, string> | (() => Record<string, string>),
  expectedSub: string,
  checkHeaders: boolean,
  opts: { duration: number; connections: number },
): Promise<RunReport> {
  const check = checker(expectedSub, checkHeaders);
  const request =
    typeof headers === 'function'
      ? {
          method: 'GET',
          path: '/whoami',
          onResponse: check.onResponse,
          setupRequest: (req: Record<string, unknown>) => ({ ...req, headers: headers() }),
        }
      : { method: 'GET', path: '/whoami', headers, onResponse: check.onResponse };
  process.stderr.write(`load: ${name}: ${opts.connections} connections for ${opts.duration} s…\n`);
  const result = await autocannon({ url, connections: opts.connections, duration: opts.duration, requests: [request], timeout: 30 });
  return { name, result, checked: check.checked(), leaks: check.leaks, unexpected: check.unexpected };
}

function printReport(reports: RunReport[], opts: { duration: number; connections: number }): void {
  const header = ['run', 'req/s', 'p50 ms', 'p99 ms', '2xx', 'non-2xx', '5xx', 'errors', 'timeouts', 'leaks'];
  const rows = reports.map((r) => [
    r.name,
    r.result.requests.average.toFixed(1),
    String(r.result.latency.p50),
    String(r.result.latency.p99),
    String(r.result['2xx']),
    String(r.result.non2xx),
    String(r.result['5xx']),
    String(r.result.errors),
    String(r.result.timeouts),
    String(r.leaks.length),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ');
  console.log(`\nload: ${opts.connections} connections, ${opts.duration} s per run, loopback, node ${process.version}\n`);
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  const [mesh, direct] = reports;
  if (mesh && direct && mesh.result.requests.average > 0) {
    console.log(
      `\nmeshgate overhead: p50 +${(mesh.result.latency.p50 - direct.result.latency.p50).toFixed(1)} ms (${(mesh.result.latency.p50 / Math.max(direct.result.latency.p50, 0.01)).toFixed(1)}×), ` +
        `throughput ${(direct.result.requests.average / mesh.result.requests.average).toFixed(1)}× lower (serverless offline runs each Lambda invocation in-process, with no authorizer cache)`,
    );
  }
}

/** The failed checks, one line each; empty when the run is clean. */
function failures(reports: RunReport[]): string[] {
  const out: string[] = [];
  for (const r of reports) {
    if (r.result['5xx'] > 0) out.push(`${r.name}: ${r.result['5xx']} responses were 5xx`);
    if (r.result.errors > 0 || r.result.timeouts > 0) out.push(`${r.name}: ${r.result.errors} errors, ${r.result.timeouts} timeouts`);
    for (const [status, count] of r.unexpected) out.push(`${r.name}: ${count} responses with status ${status}`);
    if (r.leaks.length > 0) out.push(`${r.name}: ${r.leaks.length} identity leaks, e.g. ${r.leaks[0]}`);
    if (r.checked === 0) out.push(`${r.name}: no successful response to check`);
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  let opts: { duration: number; connections: number };
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: { duration: { type: 'string' }, connections: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    opts = {
      duration: intOption('duration', values.duration, 10, 1, 120),
      connections: intOption('connections', values.connections, 10, 1, 200),
    };
  } catch (err) {
    console.error(`load: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }

  const cleanup: Array<() => Promise<unknown>> = [];
  try {
    const dir = await mkdtemp(join(tmpdir(), 'meshgate-load-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const keysFile = join(dir, 'keys.json');
    const keySet = await new FileKeyStore(keysFile).createIfMissing();
    const issuer = await startLocalIssuer();
    cleanup.push(() => issuer.close());
    const httpPort = await freePort();
    const api = `http://127.0.0.1:${httpPort}`;
    const audience = routesJson.upstreams.demo.audience;
    const demo = await startDemoService({ port: 0, host: '127.0.0.1', issuer: api, audience, jwksUri: `${api}/.well-known/jwks.json` });
    cleanup.push(() => demo.close());
    const release = await acquireServerlessLock();
    cleanup.push(release);
    process.stderr.write('load: starting serverless offline…\n');
    const offline = await startOffline({
      httpPort,
      lambdaPort: await freePort(),
      issuers: [issuer.trustConfig],
      upstreams: { demo: demo.url },
      assertionIssuer: api,
      keysFile,
      env: { LOG_LEVEL: 'ERROR' },
    });
    cleanup.push(() => offline.stop());

    const token = await issuer.issueToken();
    // Only to know what the demo service must report; the stack verifies the token itself.
    const expectedSub = (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub: string }).sub;
    const meshHeaders = {
      authorization: `Bearer ${token}`,
      'x-identity-sub': SPOOFED,
      'X-Identity-Groups': SPOOFED,
      'x-identity-assertion': `${SPOOFED}.x.y`,
    };
    for (let i = 0; i < 3; i++) {
      const warm = await fetch(`${api}/whoami`, { headers: meshHeaders });
      if (warm.status !== 200) throw new Error(`warm-up request answered ${warm.status}: ${(await warm.text()).slice(0, 300)}`);
    }
    const mesh = await run('(a) API → authorizer → ingress → demo', api, meshHeaders, expectedSub, true, opts);

    // The bare service still verifies an assertion per request: sign one as the ingress would, fresh every 60 s.
    let signed = { at: 0, jws: '' };
    const directHeaders = (): Record<string, string> => {
      const now = Math.floor(Date.now() / 1000);
      if (now - signed.at >= 60) {
        const claims = {
          iss: api,
          aud: audience,
          sub: expectedSub,
          type: 'service' as const,
          scope: 'orders:read',
          groups: [],
          src_iss: issuer.issuer,
          iat: now,
          exp: now + 120,
          jti: newJti(),
          req: requestHash('GET', '/whoami'),
          body_sha256: bodyDigest(undefined),
        };
        signed = { at: now, jws: signAssertion(claims, keySet.current) };
      }
      return { [ASSERTION_HEADER]: signed.jws };
    };
    const direct = await run('(b) straight at the demo service', demo.url, directHeaders, expectedSub, false, opts);

    const reports = [mesh, direct];
    printReport(reports, opts);
    const failed = failures(reports);
    for (const f of failed) console.error(`load: FAILED ${f}`);
    if (failed.length === 0)
      console.log(`\nload: ok: zero 5xx, zero errors, ${mesh.checked + direct.checked} responses checked, zero identity leaks`);
    return failed.length === 0 ? 0 : 1;
  } catch (err) {
    console.error(`load: ${(err as Error).message}`);
    return 1;
  } finally {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
  }
}

void main(process.argv.slice(2)).then((code) => process.exit(code));
