#!/usr/bin/env node
// Runs the test suite with node's own test runner: typecheck, lint (ESLint, zero warnings) and format (Prettier), then
// every test/**/*.test.ts and packages/*/test/**/*.test.ts.
// Usage: node scripts/run-tests.mjs [--unit | --e2e | --no-typecheck | --no-lint] [path-substring ...]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { envWithNodeFirst, lambdaNodeOrExit } from './lambda-node.mjs';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log('usage: npm test [-- --unit | --e2e | --no-typecheck | --no-lint] [path-substring ...]');
  process.exit(0);
}
// Everything below (typecheck, lint, the tests and what they spawn) runs on the Node major Lambda runs.
const node = lambdaNodeOrExit('npm test');
const env = envWithNodeFirst(node);
const only = args.includes('--unit') ? 'unit' : args.includes('--e2e') ? 'e2e' : 'all';
const filters = args.filter((a) => !a.startsWith('--'));

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.test.ts') ? [path] : [];
  });
}

// The workspace packages carry their own tests (packages/<name>/test), run with the rest.
const packageTests = readdirSync('packages')
  .map((name) => join('packages', name, 'test'))
  .filter((dir) => statSync(dir, { throwIfNoEntry: false })?.isDirectory());
const files = [...walk('test'), ...packageTests.flatMap(walk)]
  .map((f) => relative('.', f))
  .filter((f) => (only === 'all' ? true : only === 'e2e' ? f.startsWith('test/e2e/') : !f.startsWith('test/e2e/')))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();

if (!args.includes('--no-typecheck') && filters.length === 0) {
  const tsc = spawnSync(node, ['node_modules/typescript/bin/tsc', '--noEmit', '-p', '.'], { stdio: 'inherit', env });
  if (tsc.status !== 0) {
    console.error('typecheck failed');
    process.exit(tsc.status ?? 1);
  }
}

if (!args.includes('--no-lint') && filters.length === 0) {
  for (const [what, bin, ...rest] of [
    ['lint', 'node_modules/eslint/bin/eslint.js', '--max-warnings', '0', '.'],
    ['format', 'node_modules/prettier/bin/prettier.cjs', '--check', '--log-level', 'warn', '.'],
  ]) {
    const step = spawnSync(node, [bin, ...rest], { stdio: 'inherit', env });
    if (step.status !== 0) {
      console.error(`${what} failed: run npx eslint --fix . / npx prettier --write .`);
      process.exit(step.status ?? 1);
    }
  }
}

if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const run = spawnSync(node, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files], {
  stdio: 'inherit',
  env: { ...env, POWERTOOLS_DEV: process.env.POWERTOOLS_DEV ?? 'false' },
});
process.exit(run.status ?? 1);
