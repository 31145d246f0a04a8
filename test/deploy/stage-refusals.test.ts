// `npx serverless package` refuses each broken stage before anything is bundled or uploaded: non-zero exit, and a
// message naming the param to fix. The stage check runs at `initialize`, before serverless-esbuild writes .esbuild/,
// so the cases run side by side (inside the lock, in case one ever got past the check and started bundling).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireServerlessLock } from '../e2e/support/serverless-lock';
import { GOOD_PARAMS, paramArgs, runServerless, type ServerlessRun } from '../support/serverless-package';

interface Case {
  readonly name: string;
  readonly args: readonly string[];
  /** What the message must say: the param and what is wrong with it. */
  readonly message: RegExp;
}

const CASES: readonly Case[] = [
  {
    name: 'no --stage: stage dev, whose required params have no default',
    args: [],
    message:
      /stage dev was not packaged, nothing was uploaded: param issuers \(MESHGATE_ISSUERS of function authorizer\): MESHGATE_ISSUERS: is required/,
  },
  {
    name: '--stage local, which is for serverless offline only',
    args: ['--stage', 'local'],
    message: /stage local was not packaged, nothing was uploaded: stage local is for serverless offline \(npm start\)/,
  },
  {
    name: "--param='issuers=nope'",
    args: ['--stage', 'prod', ...paramArgs({ ...GOOD_PARAMS, issuers: 'nope' })],
    message: /param issuers \(MESHGATE_ISSUERS of function authorizer\): MESHGATE_ISSUERS: is not valid JSON/,
  },
  {
    name: 'an http:// upstream',
    args: [
      '--stage',
      'prod',
      ...paramArgs({ ...GOOD_PARAMS, upstreams: '{"demo":"http://demo.internal:8080","orders":"https://orders.mesh.internal"}' }),
    ],
    message: /param upstreams \(MESHGATE_UPSTREAMS of function ingress\): MESHGATE_UPSTREAMS\.demo: must be https/,
  },
  {
    name: 'the example assertionIssuer',
    args: ['--stage', 'prod', ...paramArgs({ ...GOOD_PARAMS, assertionIssuer: 'https://meshgate.example.com' })],
    message:
      /param assertionIssuer \(MESHGATE_ASSERTION_ISSUER of function ingress\): MESHGATE_ASSERTION_ISSUER: https:\/\/meshgate\.example\.com is a placeholder/,
  },
  {
    name: 'an exchange TTL over its 300 s cap (a function other than the request path is checked too)',
    args: ['--stage', 'prod', ...paramArgs({ ...GOOD_PARAMS, exchangeTtlSeconds: '301' })],
    message: /param exchangeTtlSeconds \(MESHGATE_EXCHANGE_TTL_SECONDS of function exchange\): MESHGATE_EXCHANGE_TTL_SECONDS: must be/,
  },
];

describe('npx serverless package refuses a broken stage before bundling', () => {
  let outDir: string;
  const runs = new Map<string, ServerlessRun>();

  before(
    async () => {
      outDir = await mkdtemp(join(tmpdir(), 'meshgate-refusals-'));
      const release = await acquireServerlessLock();
      try {
        // Two at a time: each is a whole serverless start (CPU-bound), and CI has two busy cores.
        const queue = CASES.map((c, i) => async () => {
          runs.set(c.name, await runServerless(['package', ...c.args, '--package', join(outDir, String(i))]));
        });
        const worker = async () => {
          for (let next = queue.shift(); next; next = queue.shift()) await next();
        };
        await Promise.all([worker(), worker()]);
      } finally {
        await release();
      }
    },
    { timeout: 900_000 },
  );

  after(async () => {
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  for (const c of CASES) {
    it(`${c.name}: exits non-zero, names the param, writes nothing`, async () => {
      const run = runs.get(c.name)!;
      assert.notEqual(run.code, 0, run.output);
      assert.match(run.output, c.message);
      assert.doesNotMatch(run.output, /Service packaged|Packaging .* with esbuild|Compiling/i, 'stopped before bundling');
      const i = CASES.indexOf(c);
      assert.ok(!existsSync(join(outDir, String(i))) || (await readdir(join(outDir, String(i)))).length === 0, 'no artifact written');
    });
  }

  it('tells how to set a missing param', () => {
    assert.match(runs.get(CASES[0]!.name)!.output, /Set it with --param="issuers=…" or under params\.dev in serverless\.yml/);
  });
});
