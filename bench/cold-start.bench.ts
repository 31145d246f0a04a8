// Cold start per function: bundle size, time to load the bundle in a fresh node, first invocation; beside a bare handler.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bundleFunction, functionNames } from '../scripts/bundles';
import { round, type Ratio } from './harness';

const RUNS = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

// One fresh node process per run: load time and first-invocation time measured inside it with hrtime.
function startupMs(bundle: string, eventFile: string | undefined, env: Record<string, string>): { load: number; invoke: number } {
  const probe = `
    const t0 = process.hrtime.bigint();
    const m = require(${JSON.stringify(bundle)});
    const t1 = process.hrtime.bigint();
    const event = ${eventFile ? `require(${JSON.stringify(eventFile)})` : '{}'};
    Promise.resolve().then(() => m.handler(event, { awsRequestId: 'bench', functionName: 'bench', getRemainingTimeInMillis: () => 10000 }))
      .catch(() => undefined)
      .then(() => { const t2 = process.hrtime.bigint(); process.stderr.write(JSON.stringify({ load: Number(t1 - t0) / 1e6, invoke: Number(t2 - t1) / 1e6 })); process.exit(0); });`;
  const loads: number[] = [];
  const invokes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const run = spawnSync(process.execPath, ['-e', probe], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 20000,
    });
    const out = run.stderr.toString();
    const at = out.lastIndexOf('{"load"');
    if (at < 0) throw new Error(`${bundle}: probe failed: ${out.slice(-400)}`);
    const parsed = JSON.parse(out.slice(at)) as { load: number; invoke: number };
    loads.push(parsed.load);
    invokes.push(parsed.invoke);
  }
  return { load: median(loads), invoke: median(invokes) };
}

function sampleEvent(name: string): string | undefined {
  const file = readdirSync('events')
    .sort()
    .find((f) => f.startsWith(name === 'scheduled' ? 'schedule' : name === 'rotate' ? 'rotate' : name));
  return file ? resolve('events', file) : undefined;
}

export async function benchColdStart(): Promise<Ratio[]> {
  // Inside the repo, so the bundles' external `@aws-sdk/*` resolve from node_modules as in the Lambda runtime.
  mkdirSync('.bench', { recursive: true });
  const dir = mkdtempSync(join('.bench', 'cold-start-'));
  const bare = resolve(dir, 'bare.js');
  writeFileSync(bare, 'exports.handler = async () => ({ statusCode: 200 });');
  const env = {
    MESHGATE_ISSUERS: JSON.stringify([{ issuer: 'https://idp.example.com/', audience: ['meshgate'] }]),
    MESHGATE_UPSTREAMS: JSON.stringify({ demo: 'http://127.0.0.1:9' }),
    MESHGATE_ASSERTION_ISSUER: 'http://127.0.0.1:3000',
    MESHGATE_ALLOW_LOOPBACK_HTTP: 'true',
    MESHGATE_KEY_STORE: 'file',
    MESHGATE_KEYS_FILE: join(dir, 'keys.json'),
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    // As in Lambda: the Tracer (and its X-Ray SDK) loads at init.
    AWS_LAMBDA_FUNCTION_NAME: 'meshgate-bench',
    _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
    AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
    AWS_REGION: 'eu-west-1',
  };
  const base = startupMs(bare, undefined, env);
  const results: Ratio[] = [];
  for (const name of functionNames()) {
    const bundle = await bundleFunction(name, dir);
    const t = startupMs(resolve(bundle.file), sampleEvent(name), env);
    // The runtime's own SDK clients (external, as the Lambda runtime ships them) load in every variant of the
    // function; a bare handler requiring the same packages separates their cost from meshgate's.
    const sdkOnly = resolve(dir, `${name}-sdk-only.js`);
    writeFileSync(
      sdkOnly,
      `${bundle.externals.map((e) => `require(${JSON.stringify(e)});`).join('')}exports.handler = async () => ({ statusCode: 200 });`,
    );
    const sdk = bundle.externals.length > 0 ? startupMs(sdkOnly, undefined, env) : base;
    const own = Math.max(0, t.load - sdk.load);
    const kb = round(bundle.bytes / 1024);
    results.push({
      section: 'cold start',
      name: `${name}: bundle size (KB)`,
      value: kb,
      baseline: 300,
      ratio: round(kb / 300),
      unit: 'KB',
      goal: '≤ 300 KB',
      met: kb <= 300,
    });
    results.push({
      section: 'cold start',
      name: `${name}: load (ms) vs bare handler`,
      value: round(t.load),
      baseline: round(base.load),
      ratio: round(t.load / Math.max(base.load, 0.01)),
      unit: 'ms',
      goal: 'reported',
      met: true,
    });
    results.push({
      section: 'cold start',
      name: `${name}: load (ms) minus its runtime SDK clients (${bundle.externals.length})`,
      value: round(own),
      baseline: round(sdk.load),
      ratio: round(t.load / Math.max(sdk.load, 0.01)),
      unit: 'ms',
      goal: '≤ 60 ms',
      met: own <= 60,
    });
    results.push({
      section: 'cold start',
      name: `${name}: first invocation (ms) vs bare handler`,
      value: round(t.invoke),
      baseline: round(base.invoke),
      ratio: round(t.invoke / Math.max(base.invoke, 0.01)),
      unit: 'ms',
      goal: 'reported',
      met: true,
    });
  }
  return results;
}
