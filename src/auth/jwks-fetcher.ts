// aws-jwt-verify's Fetcher over the one bounded JWKS GET (@meshgate/consumer): traced, plain HTTP only when allowed.
import type { Fetcher } from 'aws-jwt-verify/https';
import { FetchError, NonRetryableFetchError } from 'aws-jwt-verify/error';
import { type HttpGetError, httpGet } from '@meshgate/consumer';
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

/** aws-jwt-verify retries a `FetchError` but not a `NonRetryableFetchError`: only a timeout or a broken connection may pass on a retry. */
function libraryError(uri: string, err: HttpGetError): Error {
  return err.failure === 'timeout' || err.failure === 'network'
    ? new FetchError(uri, err.message)
    : new NonRetryableFetchError(uri, err.message);
}

/**
 * A JWKS fetcher for aws-jwt-verify's `JwksCache`: one attempt, bounded time and size, traced, logged when it succeeds.
 *
 * @example
 * // given: import { RefreshingJwksCache } from './jwks-cache';
 * new RefreshingJwksCache({ fetcher: new JwksFetcher({ timeoutMs: 1500 }), freshness: new Map() });
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

  // A failure is logged once, by the cache that asked (RefreshingJwksCache: what it still serves) or the CLI.
  async fetch(uri: string): Promise<ArrayBuffer> {
    const started = Date.now();
    const body = await traced('### jwks fetch', () => this.get(uri));
    logger.info('jwks fetched', { jwksUri: uri, bytes: body.byteLength, ms: Date.now() - started });
    return body;
  }

  private async get(uri: string): Promise<ArrayBuffer> {
    // httpGet itself allows http to loopback hosts; the authorizer allows it only on stages that say so.
    if (!this.allowLoopbackHttp && !(URL.canParse(uri) && new URL(uri).protocol === 'https:'))
      throw new NonRetryableFetchError(uri, 'JWKS must be fetched over https');
    try {
      const body = await httpGet(uri, {
        timeoutMs: this.timeoutMs,
        maxBytes: this.maxBytes,
        ca: this.ca,
      });
      return body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
    } catch (err) {
      // httpGet rejects with an HttpGetError only.
      throw libraryError(uri, err as HttpGetError);
    }
  }
}
