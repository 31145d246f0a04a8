#!/usr/bin/env node
// `npm run test:aws`: the AWS-emulator suite (test/aws/*.aws.ts) with node's test runner. Each file starts its own moto
// server on 127.0.0.1 (test/aws/moto-server.py); the suite also runs `serverless package` and cfn-lint.
// Needs: Python 3 with moto[server] 5.x (`python3 -c "import moto.server"`), cfn-lint 1.x on PATH. No network, no Docker.
// Usage: node scripts/run-aws-tests.mjs [path-substring ...]
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { envWithNodeFirst, lambdaNodeOrExit } from './lambda-node.mjs';

const node = lambdaNodeOrExit('test:aws');
const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const python = process.env.MESHGATE_PYTHON ?? 'python3';
const missing = [];
const moto = spawnSync(python, ['-c', 'import moto, moto.server; print(moto.__version__)'], { encoding: 'utf8' });
if (moto.status !== 0)
  missing.push(`Python 3 with moto[server] 5.x (${python}: ${(moto.stderr || moto.error?.message || '').trim().split('\n').pop()})`);
const lint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
if (lint.status !== 0) missing.push('cfn-lint 1.x on PATH (pip install cfn-lint)');
if (missing.length > 0) {
  console.error(`test:aws needs:\n${missing.map((m) => `  - ${m}`).join('\n')}`);
  process.exit(1);
}
console.error(
  `test:aws: Node ${spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim()}, moto ${moto.stdout.trim()}, ${lint.stdout.trim()}`,
);

const files = readdirSync('test/aws')
  .filter((f) => f.endsWith('.aws.ts'))
  .map((f) => join('test/aws', f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('no test file matched');
  process.exit(1);
}
const run = spawnSync(node, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files], {
  stdio: 'inherit',
  env: { ...envWithNodeFirst(node), POWERTOOLS_DEV: 'false' },
});
process.exit(run.status ?? 1);
