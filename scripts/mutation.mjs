#!/usr/bin/env node
// Mutation testing of the trust path with StrykerJS, one folder at a time, then docs/mutation-report.md.
// Usage: npm run test:mutation [-- <folder> ...] [-- --mutate <file,...>]   (folders: see scripts/mutation-folders.mjs)
// Incremental: each folder's last results are checked in as docs/mutation/<folder>.json, so a run re-tests only
// the mutants whose code or covering tests changed since. Two test processes by default
// (MESHGATE_MUTATION_CONCURRENCY to change it).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { AWAITING_RERUN, folders } from './mutation-folders.mjs';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(`usage: npm run test:mutation [-- <folder> ...] [-- --mutate <file,...>]\nfolders: ${Object.keys(folders).join(' ')}`);
  process.exit(0);
}
const named = args.filter((a, i) => !a.startsWith('--') && !(args[i - 1] ?? '').startsWith('--'));
const passThrough = args.filter((a) => !named.includes(a));
const unknown = named.filter((n) => !(n in folders));
if (unknown.length > 0) {
  console.error(`unknown folder ${unknown.join(', ')}: one of ${Object.keys(folders).join(', ')}`);
  process.exit(2);
}

for (const name of named.length > 0 ? named : Object.keys(folders)) {
  console.log(`\n== mutation testing: ${name} (${folders[name].mutate.join(' ')})`);
  const run = spawnSync(
    process.execPath,
    ['node_modules/@stryker-mutator/core/bin/stryker.js', 'run', 'stryker.config.mjs', ...passThrough],
    {
      stdio: 'inherit',
      env: { ...process.env, MESHGATE_MUTATION_FOLDER: name, POWERTOOLS_DEV: process.env.POWERTOOLS_DEV ?? 'false' },
    },
  );
  if (run.status !== 0) process.exit(run.status ?? 1);
  // A partial run (--mutate) measured some of the folder's files only: the folder still awaits its whole re-run.
  if (!passThrough.includes('--mutate')) measured(name);
}
/** A folder just run whole no longer awaits a re-run (AWAITING_RERUN). */
function measured(name) {
  if (!existsSync(AWAITING_RERUN)) return;
  const { [name]: _done, ...rest } = JSON.parse(readFileSync(AWAITING_RERUN, 'utf8'));
  if (Object.keys(rest).length === 0) rmSync(AWAITING_RERUN);
  else writeFileSync(AWAITING_RERUN, `${JSON.stringify(rest, null, 2)}\n`);
}

const report = spawnSync(process.execPath, ['scripts/mutation-report.mjs'], { stdio: 'inherit' });
process.exit(report.status ?? 1);
