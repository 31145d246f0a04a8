// Runs `npx serverless …` as the docs show it, with no AWS credentials, and the good prod params tests package with.
import { execFile } from 'node:child_process';
import { serverlessEnvWithoutAws } from './serverless-env';

/** A complete prod configuration: https issuer and upstream on hosts that are not placeholders. */
export const GOOD_PARAMS: Readonly<Record<string, string>> = {
  issuers: '[{"issuer":"https://login.corp.internal/","audience":["meshgate"]}]',
  upstreams: '{"demo":"https://demo.mesh.internal","orders":"https://orders.mesh.internal"}',
};

/** `--param=name=value` for each entry, as one shell word each. */
export const paramArgs = (params: Readonly<Record<string, string>>): string[] =>
  Object.entries(params).map(([name, value]) => `--param=${name}=${value}`);

export interface ServerlessRun {
  /** Exit code; null when killed (timeout). */
  readonly code: number | null;
  /** stdout and stderr. */
  readonly output: string;
}

/**
 * `npx serverless <args>` in the project, without AWS credentials or config and without telemetry. Callers that
 * bundle (package, offline) hold acquireServerlessLock around it: those share .esbuild/ in the project.
 */
export function runServerless(args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 240_000): Promise<ServerlessRun> {
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['serverless', ...args],
      { env: { ...serverlessEnvWithoutAws(), ...env }, timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null) : 0;
        resolve({ code, output: `${stdout}\n${stderr}` });
      },
    );
  });
}
