// One bounded GET for a JWKS: https (http only to loopback), status 200, size and time limits, no redirects.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isLoopbackHost } from '../config/check';

export interface HttpGetOptions {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  /** Extra trusted CA certificates (PEM), e.g. an AWS Private CA root. */
  readonly ca?: string | readonly string[];
}

/** True for `https:`, and for `http:` only to 127.0.0.0/8, ::1 and localhost. */
export function isAllowedJwksUrl(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
}

/** Resolves the body, or rejects with an Error whose message names the failure (never the body). */
export function httpGet(uri: string, options: HttpGetOptions): Promise<Buffer> {
  const url = new URL(uri);
  if (!isAllowedJwksUrl(url)) return Promise.reject(new Error('JWKS must be fetched over https (http only for loopback)'));
  const plain = url.protocol === 'http:';
  return new Promise((resolve, reject) => {
    const tls = !plain && options.ca !== undefined ? { ca: options.ca as string | string[] } : {};
    const req = (plain ? httpRequest : httpsRequest)(url, { method: 'GET', headers: { accept: 'application/jwk-set+json, application/json' }, ...tls }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        fail(new Error(`JWKS answered status ${res.statusCode}`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) fail(new Error(`JWKS larger than ${options.maxBytes} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(Buffer.concat(chunks));
      });
      res.on('error', (err) => fail(err));
    });
    // One deadline for connect + response, so a stalled JWKS server can hold a request for timeoutMs at most.
    const timer = setTimeout(() => fail(new Error(`no complete JWKS response within ${options.timeoutMs} ms`)), options.timeoutMs);
    timer.unref();
    let done = false;
    function fail(err: Error): void {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      reject(err);
    }
    req.on('error', (err) => fail(err));
    req.end();
  });
}
