#!/usr/bin/env node
// meshgate's command line: runs the TypeScript sources through tsx, so a clone needs no build step.
require('tsx/cjs');
require('../src/cli/main.ts')
  .main(process.argv.slice(2))
  .then((code) => { process.exitCode = code; })
  .catch((err) => { console.error(`meshgate: ${err && err.message ? err.message : err}`); process.exitCode = 2; });
