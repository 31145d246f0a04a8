// Stage 3: forwards the request to the route's upstream over keep-alive HTTP, with a deadline and a size cap.
import http from 'node:http';
import https from 'node:https';
import { MeshgateError } from '../errors';
import { traced } from '../observability';
import type { OutgoingHeaders } from './headers';

/**
 * Lambda answers at most 6 MB of JSON; base64 adds a third. 4 MiB of body keeps the encoded answer under it.
 * A larger upstream body becomes 502 `upstream_response_too_large`, never a truncated body or a Lambda error.
 */
export const MAX_UPSTREAM_RESPONSE_BYTES = 4 * 1024 * 1024;

// Module scope: warm invocations reuse connections. Idle sockets close after 4 s, before the common 5 s
// server keep-alive timeout (Node, many proxies) can close them under a request.
const agentOptions = { keepAlive: true, maxSockets: 64, maxFreeSockets: 16, timeout: 4000, scheduling: 'lifo' as const };
export const httpAgent = new http.Agent(agentOptions);
export const httpsAgent = new https.Agent(agentOptions);

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

export interface UpstreamRequest {
  /** The upstream's base URL; its path is a prefix of every forwarded path. */
  readonly baseUrl: URL;
  readonly upstreamName: string;
  readonly method: string;
  /** Base path + request path, percent-encoded: the path the upstream sees (and `req` hashes). */
  readonly path: string;
  /** Encoded query string, without `?`. */
  readonly rawQuery: string;
  readonly headers: OutgoingHeaders;
  readonly body: Buffer | undefined;
  /** Deadline for connect + request + whole response. */
  readonly timeoutMs: number;
  readonly maxResponseBytes?: number;
}

export interface UpstreamResponse {
  readonly status: number;
  /** Node's `rawHeaders`: name, value, name, value… in the order received, repeats kept. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
}

/** The path the upstream sees: the base URL's path, then the request path. */
export function upstreamPath(baseUrl: URL, requestPath: string): string {
  const base = baseUrl.pathname.replace(/\/+$/, '');
  return `${base}${requestPath}`;
}

function attempt(
  req: UpstreamRequest,
  deadline: number,
): Promise<{ response?: UpstreamResponse; error?: NodeJS.ErrnoException; reused: boolean }> {
  return new Promise((resolve) => {
    const secure = req.baseUrl.protocol === 'https:';
    const limit = req.maxResponseBytes ?? MAX_UPSTREAM_RESPONSE_BYTES;
    const headers = { ...req.headers, 'content-length': String(req.body?.length ?? 0) };
    const outgoing = (secure ? https : http).request({
      agent: secure ? httpsAgent : httpAgent,
      protocol: req.baseUrl.protocol,
      hostname: req.baseUrl.hostname.replace(/^\[|\]$/g, ''),
      port: req.baseUrl.port || undefined,
      method: req.method,
      path: req.rawQuery === '' ? req.path : `${req.path}?${req.rawQuery}`,
      headers,
    });
    // Only the first result counts: a promise settles once, so later calls (an error after a timeout) are no-ops.
    const finish = (result: { response?: UpstreamResponse; error?: NodeJS.ErrnoException }): void => {
      clearTimeout(timer);
      resolve({ ...result, reused: outgoing.reusedSocket });
    };
    // Only the code is ever read (toError): it names the failure in the problem's log line.
    const fail = (code: string): void => {
      finish({ error: Object.assign(new Error(code), { code }) });
      // Destroy without the error: it is already reported, and an error passed here can surface on a pooled socket.
      outgoing.destroy();
    };
    const timer = setTimeout(() => fail('MESHGATE_TIMEOUT'), Math.max(1, deadline - Date.now()));
    outgoing.on('error', (error: NodeJS.ErrnoException) => finish({ error }));
    outgoing.on('response', (res) => {
      // A connection lost mid-body ends the response with an ECONNRESET 'aborted' error.
      res.on('error', (error: NodeJS.ErrnoException) => finish({ error }));
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > limit) return fail('MESHGATE_TOO_LARGE');
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) return fail('MESHGATE_TOO_LARGE');
        chunks.push(chunk);
      });
      res.on('end', () =>
        finish({ response: { status: res.statusCode ?? 502, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks, size) } }),
      );
    });
    outgoing.end(req.body);
  });
}

function toError(req: UpstreamRequest, error: NodeJS.ErrnoException): MeshgateError {
  const cause = error.code ?? error.message;
  const details = { upstream: req.upstreamName, cause };
  if (error.code === 'MESHGATE_TIMEOUT')
    return new MeshgateError('upstream_timeout', `upstream ${req.upstreamName} did not answer within ${req.timeoutMs} ms`, { details });
  if (error.code === 'MESHGATE_TOO_LARGE')
    return new MeshgateError('upstream_response_too_large', `upstream ${req.upstreamName} answered more than API Gateway can return`, {
      details,
    });
  return new MeshgateError('upstream_unavailable', `upstream ${req.upstreamName}: ${cause}`, { details });
}

/**
 * Sends the request upstream and reads the whole response. Refused or reset → `upstream_unavailable` (502);
 * deadline → `upstream_timeout` (504); body over the cap → `upstream_response_too_large` (502). A reset on a
 * reused keep-alive socket is retried once for idempotent methods: the server closed an idle connection just
 * as we reused it, so the request never reached it.
 *
 * @example
 * // given: declare const headers: OutgoingHeaders;
 * const res = await forwardRequest({ baseUrl: new URL('http://127.0.0.1:4001'), upstreamName: 'demo', method: 'GET', path: '/whoami', rawQuery: '', headers, body: undefined, timeoutMs: 3000 });
 */
export function forwardRequest(req: UpstreamRequest): Promise<UpstreamResponse> {
  return traced(`### upstream ${req.upstreamName}`, async () => {
    const deadline = Date.now() + req.timeoutMs;
    let result = await attempt(req, deadline);
    if (result.error && result.reused && result.error.code === 'ECONNRESET' && IDEMPOTENT.has(req.method) && Date.now() < deadline) {
      result = await attempt(req, deadline);
    }
    if (result.response) return result.response;
    throw toError(req, result.error!);
  });
}
