// The e2e fixture: local OIDC issuer + demo mesh service (behind a recorder) + serverless offline, once per test file.
import { after, before } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalIssuer, type LocalIssuer } from '../../../src/local/oidc-issuer';
import { startOffline, type OfflineProcess } from '../../../src/local/offline';
import { startDemoService } from '../../../src/demo/mesh-service';
import { FileKeyStore } from '../../../src/keys/key-store-file';
import routesJson from '../../../config/routes.json';
import { acquireServerlessLock } from './serverless-lock';

/** The `demo` upstream's audience, as config/routes.json names it. */
export const DEMO_AUDIENCE = routesJson.upstreams.demo.audience;

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/** A loopback reverse proxy that records every request that reaches the upstream side, then forwards it. */
export interface Recorder {
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

export interface StackOptions {
  /** Where the `demo` upstream points. @default a {@link Recorder} in front of the real demo mesh service */
  readonly upstreamUrl?: string;
}

export interface Stack {
  /** API base URL (serverless offline). Also the assertion issuer. */
  readonly api: string;
  readonly issuer: LocalIssuer;
  readonly keysFile: string;
  readonly keyStore: FileKeyStore;
  /** Present unless `upstreamUrl` was given. */
  readonly recorder: Recorder | undefined;
  readonly offline: OfflineProcess;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function listenOnLoopback(server: Server, port = 0): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function startRecorder(target: string): Promise<Recorder> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers } });
    const upstream = httpRequest(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    req.pipe(upstream);
  });
  const url = await listenOnLoopback(server);
  return { url, requests, close: () => closeServer(server) };
}

/** Runs cleanup steps in reverse order; every step runs even when one fails. */
async function runAll(steps: Array<() => Promise<unknown>>): Promise<void> {
  const errors: unknown[] = [];
  for (const step of steps.reverse()) {
    try {
      await step();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length > 0) throw errors[0];
}

/**
 * Starts the whole local stack on free loopback ports with a temporary key file. On any failure, whatever
 * started is stopped before the error is rethrown.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const cleanup: Array<() => Promise<unknown>> = [];
  try {
    const dir = await mkdtemp(join(tmpdir(), 'meshgate-e2e-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const keysFile = join(dir, 'keys.json');
    const keyStore = new FileKeyStore(keysFile);
    await keyStore.createIfMissing();

    const issuer = await startLocalIssuer();
    cleanup.push(() => issuer.close());

    const httpPort = await freePort();
    const api = `http://127.0.0.1:${httpPort}`;
    let recorder: Recorder | undefined;
    let upstreamUrl = options.upstreamUrl;
    if (upstreamUrl === undefined) {
      const demo = await startDemoService({
        port: 0,
        host: '127.0.0.1',
        issuer: api,
        audience: DEMO_AUDIENCE,
        jwksUri: `${api}/.well-known/jwks.json`,
      });
      cleanup.push(() => demo.close());
      const rec = await startRecorder(demo.url);
      cleanup.push(() => rec.close());
      recorder = rec;
      upstreamUrl = rec.url;
    }

    const release = await acquireServerlessLock();
    cleanup.push(release);
    const offline = await startOffline({
      httpPort,
      lambdaPort: await freePort(),
      issuers: [issuer.trustConfig],
      upstreams: { demo: upstreamUrl, orders: upstreamUrl },
      assertionIssuer: api,
      keysFile,
      env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'ERROR' },
    });
    cleanup.push(() => offline.stop());

    return { api, issuer, keysFile, keyStore, recorder, offline, close: () => runAll(cleanup.splice(0)) };
  } catch (err) {
    await runAll(cleanup).catch(() => undefined);
    throw err;
  }
}

/**
 * Starts one stack for the current test file (`before`) and always tears it down (`after`).
 * Returns an accessor, since the stack exists only once `before` ran.
 */
export function useStack(options: StackOptions | (() => Promise<StackOptions>) = {}): () => Stack {
  let stack: Stack | undefined;
  before(
    async () => {
      stack = await startStack(typeof options === 'function' ? await options() : options);
    },
    { timeout: 300_000 },
  );
  after(
    async () => {
      await stack?.close();
    },
    { timeout: 30_000 },
  );
  return () => {
    if (!stack) throw new Error('the e2e stack did not start (see the before hook)');
    return stack;
  };
}
