// Runs `serverless offline` (the real authorizer and functions) as a detached child process group, for `npm start` and e2e tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

export interface OfflineOptions {
  /** Project root holding serverless.yml. @default process.cwd() */
  readonly projectDir?: string;
  /** API port (serverless-offline `httpPort`, read from MESHGATE_HTTP_PORT). */
  readonly httpPort: number;
  /** Lambda invoke port (serverless-offline `lambdaPort`, read from MESHGATE_LAMBDA_PORT). */
  readonly lambdaPort: number;
  /** MESHGATE_ISSUERS: the trusted issuers, as the authorizer reads them. */
  readonly issuers: readonly unknown[];
  /** MESHGATE_UPSTREAMS: upstream base URLs by name. */
  readonly upstreams: Readonly<Record<string, string>>;
  /** MESHGATE_ASSERTION_ISSUER: `iss` of the assertions, the base URL the JWKS is served under. */
  readonly assertionIssuer: string;
  /** MESHGATE_KEYS_FILE: the local signing key set. */
  readonly keysFile: string;
  /** @default 60000 */
  readonly readyTimeoutMs?: number;
  /** Extra environment for the serverless process (e.g. LOG_LEVEL). */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra `serverless offline start` arguments. */
  readonly args?: readonly string[];
  /** Called with everything the process prints after it is ready (startup output is kept for errors). */
  readonly onOutput?: (text: string) => void;
}

export interface OfflineProcess {
  /** Base URL of the API, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  readonly pid: number;
  /** What the process printed so far (the last 256 KiB). */
  output(): string;
  /** Settles when the process exits, for whatever reason, with its exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Stops the process group: SIGTERM, then SIGKILL after a grace period. Safe to call twice. */
  stop(): Promise<void>;
}

const MAX_OUTPUT = 256 * 1024;
// Handlers run in the offline process, not in worker threads: with worker threads, a request whose upstream times
// out was seen to hang until the 29 s Lambda timeout about one time in three (never in-process, never in a plain
// node process), which turned a 504 into a stall.
const DEFAULT_ARGS = ['--useInProcess'];
const READY = /Server ready: (http:\/\/\S+)/;

/** The child's environment: the caller's, minus AWS credentials (nothing local may reach AWS), plus the stack's settings. */
export function offlineEnv(opts: OfflineOptions, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) {
    if (v !== undefined && !/^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|PROFILE)$/.test(k)) env[k] = v;
  }
  return {
    ...env,
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    SLS_DEPRECATION_DISABLE: '*',
    MESHGATE_ISSUERS: JSON.stringify(opts.issuers),
    MESHGATE_UPSTREAMS: JSON.stringify(opts.upstreams),
    MESHGATE_ASSERTION_ISSUER: opts.assertionIssuer,
    MESHGATE_KEYS_FILE: resolve(opts.keysFile),
    MESHGATE_HTTP_PORT: String(opts.httpPort),
    MESHGATE_LAMBDA_PORT: String(opts.lambdaPort),
    ...opts.env,
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

/**
 * Starts `serverless offline start --stage local` in its own process group and resolves once it prints
 * `Server ready`. Rejects (and kills the group) on early exit or timeout, with the captured output in the message.
 *
 * @example
 * // given: declare const issuers: unknown[], upstreams: Record<string, string>, assertionIssuer: string, keysFile: string;
 * const api = await startOffline({ httpPort: 3000, lambdaPort: 3002, issuers, upstreams, assertionIssuer, keysFile });
 * await fetch(`${api.url}/whoami`);
 * await api.stop();
 */
export function startOffline(opts: OfflineOptions): Promise<OfflineProcess> {
  const projectDir = opts.projectDir ?? process.cwd();
  const child = spawn(
    process.execPath,
    [
      join(projectDir, 'node_modules/serverless/bin/serverless.js'),
      'offline',
      'start',
      '--stage',
      'local',
      ...DEFAULT_ARGS,
      ...(opts.args ?? []),
    ],
    {
      cwd: projectDir,
      env: offlineEnv(opts),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  let ready = false;
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  // If this process dies without calling stop(), the group must not outlive it.
  const onExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', onExit);

  const stop = async (): Promise<void> => {
    process.off('exit', onExit);
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  return new Promise((resolveReady, rejectReady) => {
    let failed = false;
    const fail = (why: string) => {
      if (failed) return;
      failed = true;
      clearTimeout(timer);
      void stop().then(() => rejectReady(new Error(`serverless offline ${why}\n--- output ---\n${output.slice(-8000)}`)));
    };
    const timeoutMs = opts.readyTimeoutMs ?? 60_000;
    const timer = setTimeout(() => fail(`was not ready within ${timeoutMs} ms`), timeoutMs);
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output = (output + text).slice(-MAX_OUTPUT);
      if (ready) {
        opts.onOutput?.(text);
        return;
      }
      const m = READY.exec(output);
      if (!m) return;
      ready = true;
      clearTimeout(timer);
      resolveReady({ url: `http://127.0.0.1:${opts.httpPort}`, pid: child.pid as number, output: () => output, exited, stop });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (err) => fail(`could not be started: ${err.message}`));
    child.once('exit', (code, signal) => {
      if (!ready) fail(`exited before it was ready (${signal ?? `code ${code}`})`);
    });
  });
}
