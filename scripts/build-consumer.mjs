#!/usr/bin/env node
// Builds meshgate/consumer for Node services: dist/consumer.js (one CommonJS file, node20) + dist/consumer.d.ts.
// Usage: node scripts/build-consumer.mjs [--outdir dist]
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const args = process.argv.slice(2);
const outdir = args.includes('--outdir') ? args[args.indexOf('--outdir') + 1] : 'dist';
const outfile = join(outdir, 'consumer.js');

await build({
  entryPoints: ['src/consumer/index.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
});

// The consumer must stay free of Lambda-side code: services import it without Powertools or the AWS SDK.
const code = readFileSync(outfile, 'utf8');
for (const banned of ['@aws-lambda-powertools', '@aws-sdk/', 'aws-jwt-verify']) {
  if (code.includes(banned)) {
    console.error(`build-consumer: ${outfile} contains ${banned}`);
    process.exit(1);
  }
}

const types = join(outdir, 'types');
rmSync(types, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [
  'node_modules/typescript/bin/tsc', 'src/consumer/index.ts',
  '--declaration', '--emitDeclarationOnly', '--outDir', types, '--rootDir', 'src',
  '--target', 'ES2022', '--module', 'preserve', '--moduleResolution', 'bundler', '--types', 'node',
  '--strict', '--skipLibCheck', '--resolveJsonModule', '--isolatedModules',
], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
writeFileSync(join(outdir, 'consumer.d.ts'), "export * from './types/consumer/index';\n");
console.log(`build-consumer: ${outfile} (${Buffer.byteLength(code)} bytes) and ${join(outdir, 'consumer.d.ts')}`);
