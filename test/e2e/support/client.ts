// HTTP helpers for e2e tests: plain requests with raw header lists (repeated names, any letter case) and JWS peeking.
import { request } from 'node:http';

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  json<T = Record<string, unknown>>(): T;
}

export interface RawRequest {
  readonly method?: string;
  /** Header name/value pairs, sent as given: names may repeat and keep their case. */
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  readonly body?: string | Buffer;
}

/** Sends one request with exactly the headers given (node's `fetch` would merge repeated names). */
export function rawRequest(url: string, init: RawRequest = {}): Promise<RawResponse> {
  // With a raw header list node adds no Host header of its own.
  const flat: string[] = ['host', new URL(url).host];
  for (const [name, value] of init.headers ?? []) flat.push(name, value);
  if (init.body !== undefined) flat.push('content-length', String(Buffer.byteLength(init.body)));
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: flat, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: <T>() => JSON.parse(text) as T });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no response from ${url} within 30 s`)));
    req.on('error', reject);
    req.end(init.body);
  });
}

export function bearer(token: string): readonly [string, string] {
  return ['authorization', `Bearer ${token}`];
}

/** The protected header of a compact JWS, decoded but not verified. */
export function unverifiedJwsHeader(jws: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jws.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** The payload of a compact JWS, decoded but not verified. */
export function unverifiedJwsPayload(jws: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}
