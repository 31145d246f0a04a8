// CLI start-up: `meshgate --help` and a one-policy audit, each as a fresh process spawned exactly as a user runs it
// (`node bin/meshgate.cjs ...`), against `node -e 0` in the same run; runs take turns so machine load hits all alike.
import { spawnSync } from 'node:child_process';
import { round, type Ratio } from './harness';

const RUNS = 9;
const POLICY = 'test/audit/fixtures/policies/nested/lambda-role.json';

const COMMANDS: readonly { name: string; args: readonly string[]; maxRatio?: number }[] = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: 'meshgate --help', args: ['bin/meshgate.cjs', '--help'], maxRatio: 3 },
  {
    name: 'meshgate audit --policies <one policy>',
    args: ['bin/meshgate.cjs', 'audit', '--policies', POLICY, '--fail-on', 'none'],
    maxRatio: 5,
  },
];

function wallMs(args: readonly string[]): number {
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return ms;
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export function benchCli(): Promise<Ratio[]> {
  wallMs(COMMANDS[1]!.args); // builds the bundle when a source changed, so no run below pays for it
  const samples = COMMANDS.map(() => [] as number[]);
  for (let i = 0; i < RUNS; i++) COMMANDS.forEach((c, n) => samples[n]!.push(wallMs(c.args)));
  const baseline = median(samples[0]!);
  const results = COMMANDS.slice(1).map((c, n): Ratio => {
    const value = median(samples[n + 1]!);
    const ratio = value / baseline;
    return {
      section: 'cli',
      name: c.name,
      value: round(value),
      baseline: round(baseline),
      ratio: round(ratio),
      unit: 'ms',
      goal: `≤ ${c.maxRatio}× node -e 0`,
      met: ratio <= c.maxRatio!,
    };
  });
  return Promise.resolve(results);
}
