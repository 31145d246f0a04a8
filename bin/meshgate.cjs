#!/usr/bin/env node
// meshgate's command line: runs the compiled bundle (bin/cli-bundle.cjs rebuilds it first when a source changed).
// Without esbuild (an install without dev dependencies) it runs the TypeScript sources through tsx instead.
function load() {
  const bundle = require('./cli-bundle.cjs').currentBundle();
  if (bundle) return require(bundle);
  // tsx reads the tsconfig of the working directory; this one maps @meshgate/consumer to its TypeScript source.
  process.env.TSX_TSCONFIG_PATH ??= require('node:path').join(__dirname, '..', 'tsconfig.json');
  require('tsx/cjs');
  return require('../src/cli/main.ts');
}

load()
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  })
  .catch((err) => {
    console.error(`meshgate: ${err && err.message ? err.message : err}`);
    process.exitCode = 2;
  });
