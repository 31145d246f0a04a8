// esbuild plugin (serverless.yml custom.esbuild.plugins, scripts/bundles.ts): which functions bundle the AWS SDK.
'use strict';
const { join } = require('node:path');

/**
 * Functions whose bundle carries the SDK clients it calls, instead of requiring the Lambda runtime's copy. Requiring the
 * runtime's copy parses the CommonJS build of every command, schema and protocol of a client; a tree-shaken, minified
 * ESM build of the one client rotate and the scheduled rotation check call loads in about half the time (bench: cold
 * start). The live audit stays on the runtime's copy: its four clients bundled would come to about 540 KB, over the
 * 300 KB budget per function.
 */
const BUNDLED_SDK = new Set(['rotate', 'scheduled']);

const functionOf = (entryPoints) => {
  const entry = Array.isArray(entryPoints) && entryPoints.length === 1 ? String(entryPoints[0]) : '';
  return /functions[\\/]([^\\/]+)[\\/]handler\.[cm]?[jt]s$/.exec(entry)?.[1];
};

/** @type {import('esbuild').Plugin} */
const awsSdk = {
  name: 'meshgate-aws-sdk',
  setup(build) {
    const options = build.initialOptions;
    if (BUNDLED_SDK.has(functionOf(options.entryPoints))) {
      // ESM builds ("module") tree-shake; the CommonJS ones ("main") bring every command of a client along.
      options.mainFields = ['module', 'main'];
      options.alias = {
        ...options.alias,
        '@aws-sdk/credential-provider-node': join(__dirname, '..', 'src', 'aws', 'lambda-credentials.ts'),
      };
      return;
    }
    // Everyone else requires the copy the Lambda runtime ships (nodejs22.x: SDK v3).
    build.onResolve({ filter: /^@aws-sdk\// }, (args) => ({ path: args.path, external: true }));
  },
};

module.exports = [awsSdk];
