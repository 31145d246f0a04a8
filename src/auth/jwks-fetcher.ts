// Fetches an issuer's JWKS with a hard deadline; plain HTTP only to loopback, and only when the stage allows it.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Fetcher } from 'aws-jwt-verify/https';
import { FetchError, NonRetryableFetchError } from 'aws-jwt-verify/error';
import { isLoopbackHost } from '../config/check';
import { logger, traced } from '../observability';

export interface JwksFetcherOptions {
  /** Whole-request deadline. @default 1500 */
  readonly timeoutMs?: number;
  /** Allow `http:` for 127.0.0.0/8, ::1 and localhost (local stack only). @default false */
  readonly allowLoopbackHttp?: boolean;
  /** Largest JWKS body accepted. @default 64 KiB */
  readonly maxBytes?: number;
  /** Extra trusted CA certificates (PEM), e.g. a local issuer's self-signed CA. */
  readonly ca?: string;
}

/**
 * A JWKS fetcher for aws-jwt-verify's `SimpleJwksCache`: one attempt, bounded time and size, traced, logged.
 *
 * @example
 * new SimpleJwksCache({ fetcher: new JwksFetcher({ timeoutMs: 1500 }) });
 */
export class JwksFetcher implements Fetcher {
  private readonly timeoutMs: number;
  private readonly allowLoopbackHttp: boolean;
  private readonly maxBytes: number;
  private readonly ca: string | undefined;

  constructor(options: JwksFetcherOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 1500;
    this.allowLoopbackHttp = options.allowLoopbackHttp ?? false;
    this.maxBytes = options.maxBytes ?? 64 * 1024;
    this.ca = options.ca;
  }

  async fetch(uri: string): Promise<ArrayBuffer> {
    const started = Date.now();
    try {
      const body = await traced('### jwks fetch', () => this.get(uri));
      logger.info('jwks fetched', { jwksUri: uri, bytes: body.byteLength, ms: Date.now() - started });
      return body;
    } catch (err) {
      logger.error('jwks fetch failed', { jwksUri: uri, ms: Date.now() - started, error: (err as Error).message });
      throw err;
    }
  }

  private get(uri: string): Promise<ArrayBuffer> {
    const url = new URL(uri);
    const plain = url.protocol === 'http:';
    if (!(url.protocol === 'https:' || (plain && this.allowLoopbackHttp && isLoopbackHost(url.hostname)))) {
      return Promise.reject(new NonRetryableFetchError(uri, 'JWKS must be fetched over https'));
    }
    return new Promise((resolve, reject) => {
      const req = (plain ? httpRequest : httpsRequest)(url, { method: 'GET', headers: { accept: 'application/json' }, ...(this.ca && !plain ? { ca: this.ca } : {}) }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          fail(new NonRetryableFetchError(uri, `Status code is ${res.statusCode}, expected 200`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.maxBytes) fail(new NonRetryableFetchError(uri, `JWKS larger than ${this.maxBytes} bytes`));
          else chunks.push(chunk);
        });
        res.on('end', () => {
          clearTimeout(timer);
          const buf = Buffer.concat(chunks);
          resolve(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
        });
        res.on('error', (err) => fail(new FetchError(uri, err.message)));
      });
      const timer = setTimeout(() => fail(new FetchError(uri, `no complete response within ${this.timeoutMs} ms`)), this.timeoutMs);
      timer.unref();
      function fail(err: Error): void {
        clearTimeout(timer);
        req.destroy();
        reject(err);
      }
      req.on('error', (err) => fail(new FetchError(uri, err.message)));
      req.end();
    });
  }
}
