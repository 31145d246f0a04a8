// Loads meshgate's TypeScript sources into the serverless process (its variable files and its plugin), through tsx.
'use strict';
const { join } = require('node:path');

// tsx reads this tsconfig, which maps @meshgate/consumer to its TypeScript source (as bin/meshgate.cjs does).
process.env.TSX_TSCONFIG_PATH ??= join(__dirname, '..', 'tsconfig.json');

/** `require` of a repository-relative .ts file, scoped to this call (no global hook left in the serverless process). */
function requireTs(repositoryPath) {
  return require('tsx/cjs/api').require(join(__dirname, '..', repositoryPath), __filename);
}

module.exports = { requireTs };
