// Cold start per function: bundle size, time to load the bundle in a fresh node (SDK clients included: the number
// users pay at every init), first invocation; beside a bare handler. Also the secret-read options side by side.
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bundleEntry, bundleFunction, functionNames } from '../scripts/bundles';
import { round, type Ratio } from './harness';

const RUNS = 11;
/** The request path answers users; rotate and scheduled run in the background; no goal names the audit's load. */
const REQUEST_PATH = new Set(['authorizer', 'ingress', 'jwks', 'exchange']);
const loadGoalMs = (name: string): number | undefined => (REQUEST_PATH.has(name) ? 25 : name === 'audit' ? undefined : 60);
/** Lambda sets the X-Ray trace header per invocation, never during init: the probe sets it after loading, before invoking. */
const TRACE_HEADER = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function runProbe(probe: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['-e', probe], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => child.kill(), 20_000);
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolvePromise(Buffer.concat(chunks).toString());
    });
  });
}

/** Milliseconds: wall-clock load (require of the bundle), CPU time of that load (all threads), first invocation. */
interface Startup {
  readonly load: number;
  readonly cpu: number;
  readonly invoke: number;
}

interface Probe {
  readonly file: string;
  readonly eventFile?: string;
}

// One fresh node process per run: load time (require of the bundle, everything it loads at init) and first-invocation
// time measured inside it with hrtime. The probes take turns run by run, so a busy machine slows them alike, and the
// medians are compared. Asynchronous, so a loopback server in this process can answer the probes.
async function startupMs(probes: readonly Probe[], env: Record<string, string>): Promise<Startup[]> {
  const samples = probes.map(() => ({ loads: [] as number[], cpus: [] as number[], invokes: [] as number[] }));
  for (let i = 0; i < RUNS; i++) {
    for (const [p, { file, eventFile }] of probes.entries()) {
      const probe = `
        const c0 = process.cpuUsage();
        const t0 = process.hrtime.bigint();
        const m = require(${JSON.stringify(file)});
        const t1 = process.hrtime.bigint();
        const c1 = process.cpuUsage(c0);
        process.env._X_AMZN_TRACE_ID = ${JSON.stringify(TRACE_HEADER)};
        const event = ${eventFile ? `require(${JSON.stringify(eventFile)})` : '{}'};
        Promise.resolve().then(() => m.handler(event, { awsRequestId: 'bench', functionName: 'bench', getRemainingTimeInMillis: () => 10000 }))
          .catch(() => undefined)
          .then(() => { const t2 = process.hrtime.bigint(); process.stderr.write(JSON.stringify({ load: Number(t1 - t0) / 1e6, cpu: (c1.user + c1.system) / 1e3, invoke: Number(t2 - t1) / 1e6 })); process.exit(0); });`;
      const out = await runProbe(probe, env);
      const at = out.lastIndexOf('{"load"');
      if (at < 0) throw new Error(`${file}: probe failed: ${out.slice(-400)}`);
      const parsed = JSON.parse(out.slice(at)) as Startup;
      samples[p]!.loads.push(parsed.load);
      samples[p]!.cpus.push(parsed.cpu);
      samples[p]!.invokes.push(parsed.invoke);
    }
  }
  return samples.map((s) => ({ load: median(s.loads), cpu: median(s.cpus), invoke: median(s.invokes) }));
}

/** One result row in ms (or `unit`); rows without a goal are `reported`. */
function row(
  section: string,
  name: string,
  value: number,
  baseline: number,
  { unit = 'ms', goal = 'reported', met = true }: { unit?: string; goal?: string; met?: boolean } = {},
): Ratio {
  return { section, name, value: round(value), baseline: round(baseline), ratio: round(value / Math.max(baseline, 0.01)), unit, goal, met };
}

function sampleEvent(name: string): string | undefined {
  const file = readdirSync('events')
    .sort()
    .find((f) => f.startsWith(name === 'scheduled' ? 'schedule' : name === 'rotate' ? 'rotate' : name));
  return file ? resolve('events', file) : undefined;
}

/** A fresh directory under `.bench/` (inside the repo, so external `@aws-sdk/*` resolve from node_modules as in Lambda) with a bare handler. */
function benchDir(prefix: string): { dir: string; bare: string } {
  mkdirSync('.bench', { recursive: true });
  const dir = mkdtempSync(join('.bench', prefix));
  const bare = resolve(dir, 'bare.js');
  writeFileSync(bare, 'exports.handler = async () => ({ statusCode: 200 });');
  return { dir, bare };
}

const LAMBDA_ENV = {
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  // As in Lambda: tracing is on (the Tracer loads where the code first needs it).
  AWS_LAMBDA_FUNCTION_NAME: 'meshgate-bench',
  AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
  AWS_REGION: 'eu-west-1',
};

/** The bench issuer's JWKS as `npm run snapshot-jwks` saves it (deploy step 2 in the README): one RSA public key. */
function issuerSnapshot(issuer: string): Record<string, unknown> {
  const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
  return { [new URL('.well-known/jwks.json', issuer).href]: { keys: [{ ...jwk, kid: 'bench', alg: 'RS256', use: 'sig' }] } };
}

export async function benchColdStart(): Promise<Ratio[]> {
  const { dir, bare } = benchDir('cold-start-');
  const issuer = 'https://idp.example.com/';
  const env = {
    ...LAMBDA_ENV,
    MESHGATE_ISSUERS: JSON.stringify([{ issuer, audience: ['meshgate'] }]),
    MESHGATE_UPSTREAMS: JSON.stringify({ demo: 'http://127.0.0.1:9' }),
    MESHGATE_ASSERTION_ISSUER: 'http://127.0.0.1:3000',
    MESHGATE_ALLOW_LOOPBACK_HTTP: 'true',
    MESHGATE_KEY_STORE: 'file',
    MESHGATE_KEYS_FILE: join(dir, 'keys.json'),
  };
  const results: Ratio[] = [];
  const push = (name: string, value: number, baseline: number, unit: string, goal: string, met: boolean): void => {
    results.push(row('cold start', name, value, baseline, { unit, goal, met }));
  };
  for (const name of functionNames()) {
    // The authorizer as deployed: its issuers' JWKS snapshotted, so init fetches nothing. Without the snapshot its
    // init starts the JWKS fetch (a TLS context: ~15 ms of CPU); that variant is reported beside it.
    const bundle = await bundleFunction(name, dir, name === 'authorizer' ? { jwksSnapshot: issuerSnapshot(issuer) } : {});
    const probes: Probe[] = [{ file: bare }, { file: resolve(bundle.file), eventFile: sampleEvent(name) }];
    // The SDK clients the function still requires (external, as the Lambda runtime ships them) load at every init:
    // the headline includes them; a bare handler requiring the same packages shows meshgate's own share beside it.
    if (bundle.externals.length > 0) {
      const sdkOnly = resolve(dir, `${name}-sdk-only.js`);
      writeFileSync(
        sdkOnly,
        `${bundle.externals.map((e) => `require(${JSON.stringify(e)});`).join('')}exports.handler = async () => ({ statusCode: 200 });`,
      );
      probes.push({ file: sdkOnly });
    }
    if (name === 'authorizer')
      probes.push({ file: resolve((await bundleFunction(name, join(dir, 'no-snapshot'))).file), eventFile: sampleEvent(name) });
    const [base, t, ...rest] = await startupMs(probes, env);
    const sdk = bundle.externals.length > 0 ? rest.shift()! : base!;
    const load = Math.max(0, t!.load - base!.load);
    const goal = loadGoalMs(name);
    const kb = bundle.bytes / 1024;
    push(`${name}: bundle size (KB)`, kb, 300, 'KB', '≤ 300 KB', kb <= 300);
    push(
      `${name}: load (ms) over bare node, SDK included`,
      load,
      base!.load,
      'ms',
      goal ? `≤ ${goal} ms` : 'reported',
      !goal || load <= goal,
    );
    // CPU time barely moves when other processes share the cores; wall-clock (the headline) does.
    push(`${name}: load CPU time (ms) over bare node, SDK included`, Math.max(0, t!.cpu - base!.cpu), base!.cpu, 'ms', 'reported', true);
    push(
      `${name}: load (ms) minus its runtime SDK clients (${bundle.externals.length})`,
      Math.max(0, t!.load - sdk.load),
      sdk.load,
      'ms',
      'reported',
      true,
    );
    push(`${name}: first invocation (ms) vs bare handler`, t!.invoke, base!.invoke, 'ms', 'reported', true);
    const unsnapshotted = rest.shift();
    if (unsnapshotted) {
      push(
        `${name}: load (ms) over bare node, no JWKS snapshot (fetch starts at init)`,
        Math.max(0, unsnapshotted.load - base!.load),
        base!.load,
        'ms',
        'reported',
        true,
      );
      push(
        `${name}: load CPU time (ms) over bare node, no JWKS snapshot`,
        Math.max(0, unsnapshotted.cpu - base!.cpu),
        base!.cpu,
        'ms',
        'reported',
        true,
      );
      push(`${name}: first invocation (ms), no JWKS snapshot`, unsnapshotted.invoke, base!.invoke, 'ms', 'reported', true);
    }
  }
  return results;
}

/**
 * The function-side cost of each way to read a secret on the request path, each as a minimal handler bundled like
 * the functions: load over bare node, and the first read against a loopback server answering GetSecretValue's JSON.
 * The extension's own init (a layer process, in parallel with the function's) cannot be measured here.
 */
const SECRET_READ_PROBES: Record<string, string> = {
  'SDK client (GetSecretValueCommand)': `
    import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
    const client = new SecretsManagerClient({});
    export const handler = async () => (await client.send(new GetSecretValueCommand({ SecretId: 'bench', VersionStage: 'AWSCURRENT' }))).SecretString;`,
  'signed request (httpSecretReader, in use)': `
    import { httpSecretReader } from ${JSON.stringify(resolve('src/keys/secrets-manager-http'))};
    const reader = httpSecretReader();
    export const handler = () => reader.getSecretString('bench', 'AWSCURRENT');`,
  'Parameters and Secrets extension (localhost GET, not built)': `
    import { get } from 'node:http';
    export const handler = () => new Promise((resolve, reject) => {
      // The extension answers on localhost; 127.0.0.1 here because the bench's stand-in listens there only.
      const url = 'http://127.0.0.1:' + process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT + '/secretsmanager/get?secretId=bench';
      get(url, { headers: { 'X-Aws-Parameters-Secrets-Token': process.env.AWS_SESSION_TOKEN } }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(JSON.parse(body).SecretString));
      }).on('error', reject);
    });`,
};

export async function benchSecretRead(): Promise<Ratio[]> {
  const { dir, bare } = benchDir('secret-read-');
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ Name: 'bench', SecretString: 'value', VersionStages: ['AWSCURRENT'] }));
    });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  const env = {
    ...LAMBDA_ENV,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${port}`,
    PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(port),
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench-secret',
    AWS_SESSION_TOKEN: 'bench-token',
  };
  const results: Ratio[] = [];
  try {
    const options = Object.entries(SECRET_READ_PROBES);
    const probes: Probe[] = [{ file: bare }];
    for (const [i, [, source]] of options.entries()) {
      const entry = resolve(dir, `probe-${i}.ts`);
      writeFileSync(entry, source);
      probes.push({ file: resolve((await bundleEntry(`probe-${i}`, entry, dir)).file) });
    }
    const [base, ...measured] = await startupMs(probes, env);
    for (const [i, [option]] of options.entries()) {
      const t = measured[i]!;
      results.push(
        row('secret read', `${option}: load (ms) over bare node`, Math.max(0, t.load - base!.load), base!.load),
        row('secret read', `${option}: load CPU time (ms) over bare node`, Math.max(0, t.cpu - base!.cpu), base!.cpu),
        row('secret read', `${option}: first read (ms), loopback`, t.invoke, base!.invoke),
      );
    }
  } finally {
    server.close();
  }
  return results;
}
