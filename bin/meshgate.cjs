#!/usr/bin/env node
// meshgate's command line: runs the TypeScript sources through tsx, so a clone needs no build step.
// tsx reads the tsconfig of the working directory; this one maps @meshgate/consumer to its TypeScript source.
process.env.TSX_TSCONFIG_PATH ??= require('node:path').join(__dirname, '..', 'tsconfig.json');
require('tsx/cjs');
require('../src/cli/main.ts')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  })
  .catch((err) => {
    console.error(`meshgate: ${err && err.message ? err.message : err}`);
    process.exitCode = 2;
  });
