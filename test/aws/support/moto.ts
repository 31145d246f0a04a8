// Starts moto's server (test/aws/moto-server.py) on 127.0.0.1 with a free port, for one test file, and stops it.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { captureLogs } from '../../support/logs';

export interface Moto {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Region, endpoint and dummy credentials for SDK v3 clients (`{ ...moto.clientConfig }`). */
  readonly clientConfig: { region: string; endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  /** The environment a child process (the CLI) or a handler module needs to talk to this server. */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

export const REGION = 'eu-west-1';
/** moto's fixed account id. */
export const ACCOUNT = '123456789012';
const STARTUP_DEADLINE_MS = 60_000;

/**
 * Spawns the launcher and waits (bounded) for the `{"port": N}` line it prints once moto accepts requests. The server
 * exits when this process closes its stdin, so a crashed test run leaves nothing behind; `stop()` also kills it.
 */
export async function startMoto(): Promise<Moto> {
  const python = process.env.MESHGATE_PYTHON ?? 'python3';
  const child: ChildProcess = spawn(python, [join(__dirname, '..', 'moto-server.py')], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`moto did not start within ${STARTUP_DEADLINE_MS / 1000} s`)), STARTUP_DEADLINE_MS);
    function fail(err: Error): void {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${err.message}\n${stderr}`));
    }
    child.once('error', (err) => fail(new Error(`cannot run ${python}: ${err.message} (test:aws needs Python 3 with moto[server] 5.x)`)));
    child.once('exit', (code) => fail(new Error(`moto launcher exited with ${code} before it was ready`)));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const line = /^\{.*\}$/m.exec(out);
      if (!line) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve((JSON.parse(line[0]) as { port: number }).port);
    });
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const credentials = { accessKeyId: 'moto-test', secretAccessKey: 'moto-test' };
  return {
    endpoint,
    clientConfig: { region: REGION, endpoint, credentials },
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs `fn` with Powertools' log lines (stdout/stderr) captured instead of printed; returns its result and the lines. */
export async function quietly<T>(fn: () => Promise<T>): Promise<{ result: T; logs: Record<string, unknown>[]; lines: string[] }> {
  const capture = captureLogs();
  try {
    const result = await fn();
    return { result, logs: capture.entries(), lines: [...capture.lines] };
  } finally {
    capture.stop();
  }
}

/** Points this process's SDK clients (and handler modules loaded after this call) at moto. */
export function useMotoInThisProcess(moto: Moto): void {
  for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) delete process.env[key];
  Object.assign(process.env, moto.env);
}
