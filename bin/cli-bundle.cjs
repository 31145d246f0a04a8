// The CLI's compiled bundle (dist/cli/meshgate.cjs): built with esbuild by `npm ci` (the root package's `prepare`) and
// again by bin/meshgate.cjs whenever a source it was built from changed, so a stale bundle never runs.
// `node bin/cli-bundle.cjs` builds it.
'use strict';
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');

const ROOT = join(__dirname, '..');
const OUT_DIR = join(ROOT, 'dist', 'cli');
const BUNDLE = join(OUT_DIR, 'meshgate.cjs');
// Every input esbuild read, with the SHA-256 of its content: content, not modification times, decides freshness.
const MANIFEST = join(OUT_DIR, 'meshgate.inputs.json');

function digest(file) {
  return createHash('sha256')
    .update(readFileSync(join(ROOT, file)))
    .digest('hex');
}

/** True when the bundle exists and every input it was built from (this file included) still has the same content. */
function isFresh() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(MANIFEST, 'utf8'));
  } catch {
    return false;
  }
  try {
    return Object.entries(manifest.inputs).every(([file, hash]) => digest(file) === hash);
  } catch {
    return false; // an input was deleted or moved
  }
}

/**
 * Bundles src/cli/main.ts with the sources it imports; packages stay external (the IAM catalogue is 15 MB of JSON
 * loaded per service). Writes to temporary names and renames, so concurrent runs never read half a file.
 */
function build() {
  const esbuild = require('esbuild');
  mkdirSync(OUT_DIR, { recursive: true });
  const tmp = `${BUNDLE}.${process.pid}.tmp`;
  const result = esbuild.buildSync({
    absWorkingDir: ROOT,
    entryPoints: ['src/cli/main.ts'],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    // The workspace package's TypeScript source, as tsconfig.json maps it: its dist/ is built only when packed.
    alias: { '@meshgate/consumer': './packages/consumer/src/index.ts' },
    metafile: true,
    logLevel: 'error',
  });
  const inputs = [...Object.keys(result.metafile.inputs), relative(ROOT, __filename)];
  const manifest = { inputs: Object.fromEntries(inputs.sort().map((file) => [file, digest(file)])) };
  renameSync(tmp, BUNDLE);
  writeFileSync(`${MANIFEST}.${process.pid}.tmp`, `${JSON.stringify(manifest, null, 1)}\n`);
  renameSync(`${MANIFEST}.${process.pid}.tmp`, MANIFEST);
}

/** The bundle's path, rebuilt first when stale; undefined when it is stale and esbuild is not installed. */
function currentBundle() {
  if (isFresh()) return BUNDLE;
  try {
    require.resolve('esbuild');
  } catch {
    return undefined;
  }
  build();
  return BUNDLE;
}

module.exports = { currentBundle, build, isFresh, BUNDLE, MANIFEST };

if (require.main === module) build();
