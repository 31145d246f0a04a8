#!/usr/bin/env node
// Builds @meshgate/consumer: dist/esm (ES module) and dist/cjs (CommonJS), one bundle each for node20, with .d.ts.
// Runs on `npm pack` (prepack) and `npm run build`; checks that the bundles need nothing but Node built-ins.
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });

const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
for (const [format, type] of [
  ['esm', 'module'],
  ['cjs', 'commonjs'],
]) {
  const outfile = join(dist, format, 'index.js');
  const result = await build({
    entryPoints: [join(root, 'src/index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format,
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
  });
  // Zero runtime dependencies: anything but a Node built-in would be a package the service has to install.
  const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
  const foreign = imports.filter((path) => !builtins.has(path));
  if (foreign.length > 0) {
    console.error(`build: ${outfile} imports ${foreign.join(', ')}; only Node built-ins are allowed`);
    process.exit(1);
  }
  // Node reads `.js` as the nearest package.json's `type` says; this one marks the format of the folder.
  writeFileSync(join(dist, format, 'package.json'), `${JSON.stringify({ type })}\n`);
}

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const types = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (types.status !== 0) process.exit(types.status ?? 1);
// The same declarations serve both formats: their relative imports carry `.js`, which resolves in either folder.
for (const format of ['esm', 'cjs']) cpSync(join(dist, 'types'), join(dist, format), { recursive: true });
rmSync(join(dist, 'types'), { recursive: true });

const bytes = (format) => Buffer.byteLength(readFileSync(join(dist, format, 'index.js')));
console.log(`build: dist/esm/index.js (${bytes('esm')} bytes), dist/cjs/index.js (${bytes('cjs')} bytes) and their .d.ts`);
