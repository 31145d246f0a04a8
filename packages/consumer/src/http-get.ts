// One bounded GET for a JWKS: https (http only to loopback), status 200, size and time limits, no redirects, settles once.
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpGetOptions {
  /** One deadline for connect, headers and body. */
  readonly timeoutMs: number;
  /** Largest body accepted. */
  readonly maxBytes: number;
  /** Extra trusted CA certificates (PEM), e.g. an AWS Private CA root. */
  readonly ca?: string | readonly string[];
}

/**
 * What went wrong: `url` (not https, nor http to loopback), `status` (anything but 200, redirects included),
 * `too_large`, `timeout`, or `network` (connection or stream error). Only the last two may succeed on a retry.
 */
export type HttpGetFailure = 'url' | 'status' | 'too_large' | 'timeout' | 'network';

/** Why a GET failed. The message names the failure, never the body. */
export class HttpGetError extends Error {
  readonly failure: HttpGetFailure;
  /** The response status, for `status` failures. */
  readonly status: number | undefined;

  constructor(failure: HttpGetFailure, message: string, options?: { status?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpGetError';
    this.failure = failure;
    this.status = options?.status;
  }
}

/**
 * True for `localhost`, 127.0.0.0/8 and ::1 (as `URL.hostname` spells it, `[::1]`).
 *
 * @example
 * isLoopbackHost(new URL('http://127.0.0.1:3000/jwks').hostname) // true
 */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * True for `https:`, and for `http:` only to a loopback host.
 *
 * @example
 * isAllowedJwksUrl(new URL('http://meshgate.example.com/.well-known/jwks.json')) // false
 */
export function isAllowedJwksUrl(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
}

/**
 * GETs a URL and resolves its body, or rejects with an {@link HttpGetError}. Redirects are not followed: a
 * JWKS must come from the configured URL itself. Settles exactly once, whatever order the timer, the socket
 * and the response stream report in.
 *
 * @example
 * const body = await httpGet('https://meshgate.example.com/.well-known/jwks.json', { timeoutMs: 1500, maxBytes: 65_536 });
 */
export function httpGet(uri: string, options: HttpGetOptions): Promise<Buffer> {
  let url: URL;
  try {
    url = new URL(uri);
  } catch (err) {
    return Promise.reject(new HttpGetError('url', 'JWKS URL is not an absolute URL', { cause: err }));
  }
  if (!isAllowedJwksUrl(url)) return Promise.reject(new HttpGetError('url', 'JWKS must be fetched over https (http only for loopback)'));
  // A promise settles once: whatever reports after the first outcome (timer, socket, stream) changes nothing.
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let req: ClientRequest | undefined;
    const fail = (err: HttpGetError): void => {
      clearTimeout(timer);
      req?.destroy();
      reject(err);
    };
    const succeed = (body: Buffer): void => {
      clearTimeout(timer);
      resolve(body);
    };
    const onResponse = (res: IncomingMessage): void => {
      if (res.statusCode !== 200) {
        res.resume();
        fail(new HttpGetError('status', `JWKS answered status ${res.statusCode}, expected 200`, { status: res.statusCode }));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) fail(new HttpGetError('too_large', `JWKS larger than ${options.maxBytes} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => succeed(Buffer.concat(chunks)));
      res.on('error', (err) => fail(new HttpGetError('network', err.message, { cause: err })));
    };
    // One deadline for connect + response, so a stalled server can hold a caller for timeoutMs at most.
    timer = setTimeout(
      () => fail(new HttpGetError('timeout', `no complete JWKS response within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    timer.unref();
    const plain = url.protocol === 'http:';
    const tls = !plain && options.ca !== undefined ? { ca: options.ca as string | string[] } : {};
    try {
      req = (plain ? httpRequest : httpsRequest)(
        url,
        { headers: { accept: 'application/jwk-set+json, application/json' }, ...tls },
        onResponse,
      );
    } catch (err) {
      fail(new HttpGetError('network', (err as Error).message, { cause: err }));
      return;
    }
    req.on('error', (err) => fail(new HttpGetError('network', err.message, { cause: err })));
    req.end();
  });
}
