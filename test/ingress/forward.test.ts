import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MeshgateError } from '../../src/errors';
import { forwardRequest, upstreamPath } from '../../src/ingress/forward';
import { upstreamRequest as request } from '../support/upstream-request';
import { toProxyResult } from '../../src/ingress/response';
import { closedPort, echo, startUpstream, type UpstreamServer } from '../support/upstream-server';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe]);

async function failsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => err instanceof MeshgateError && err.code === code);
}

describe('forwardRequest against a real upstream on 127.0.0.1', () => {
  let upstream: UpstreamServer;
  before(async () => {
    upstream = await startUpstream((req, res, seen) => {
      if (seen.url.startsWith('/slow')) return; // never answers
      if (seen.url.startsWith('/trickle')) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial');
        return; // headers and part of the body, then nothing
      }
      if (seen.url.startsWith('/reset')) return req.socket.destroy();
      if (seen.url.startsWith('/png')) {
        res.writeHead(200, { 'content-type': 'image/png' });
        return res.end(PNG);
      }
      if (seen.url.startsWith('/big')) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return res.end(Buffer.alloc(4096, 1));
      }
      if (seen.url.startsWith('/chunked-big')) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        for (let i = 0; i < 8; i++) res.write('x'.repeat(512));
        return res.end();
      }
      if (seen.url.startsWith('/headers')) {
        res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; Path=/']);
        res.setHeader('x-multi', ['one', 'two']);
        res.setHeader('keep-alive', 'timeout=5');
        res.setHeader('connection', 'keep-alive, x-hop');
        res.setHeader('x-hop', 'drop me');
        res.statusCode = 201;
        return res.end('{"ok":true}');
      }
      echo(req, res, seen);
    });
  });
  after(() => upstream.close());

  it('forwards method, path, query, headers and body, and returns the upstream answer unchanged', async () => {
    const body = Buffer.from('{"a":1}');
    const res = await forwardRequest(
      request(upstream.url, {
        method: 'POST',
        path: '/echo/x%20y',
        rawQuery: 'a=1&a=2&b=%C3%A9',
        headers: { 'x-one': 'v', 'x-two': ['a', 'b'] },
        body,
      }),
    );
    assert.equal(res.status, 200);
    const seen = JSON.parse(res.body.toString('utf8')) as { method: string; url: string; headers: Record<string, string>; body: string };
    assert.equal(seen.method, 'POST');
    assert.equal(seen.url, '/echo/x%20y?a=1&a=2&b=%C3%A9');
    assert.equal(seen.headers['x-one'], 'v');
    assert.equal(seen.headers['x-two'], 'a, b');
    assert.equal(seen.headers['content-length'], String(body.length));
    assert.equal(seen.body, '{"a":1}');
  });

  it('prefixes the base URL path', async () => {
    assert.equal(upstreamPath(new URL('http://h/api/v1/'), '/orders/1'), '/api/v1/orders/1');
    // However many slashes a base URL ends with, the upstream never sees an empty segment before the request path.
    assert.equal(upstreamPath(new URL('http://h/api/v1//'), '/orders/1'), '/api/v1/orders/1');
    assert.equal(upstreamPath(new URL('http://h'), '/orders/1'), '/orders/1');
    const res = await forwardRequest(request(`${upstream.url}/base`, { path: upstreamPath(new URL(`${upstream.url}/base`), '/echo') }));
    assert.equal((JSON.parse(res.body.toString()) as { url: string }).url, '/base/echo');
  });

  it('reuses one keep-alive connection for sequential requests', async () => {
    const before = upstream.connections();
    for (let i = 0; i < 5; i++) await forwardRequest(request(upstream.url));
    assert.ok(upstream.connections() - before <= 1, `opened ${upstream.connections() - before} connections for 5 requests`);
  });

  it('answers 502 upstream_unavailable when the port refuses connections', async () => {
    await failsWith(forwardRequest(request(`http://127.0.0.1:${await closedPort()}`)), 'upstream_unavailable');
  });

  it('answers 502 upstream_unavailable when the upstream resets the connection', async () => {
    await failsWith(
      forwardRequest(request(upstream.url, { method: 'POST', path: '/reset', body: Buffer.from('x') })),
      'upstream_unavailable',
    );
    await failsWith(forwardRequest(request(upstream.url, { path: '/reset' })), 'upstream_unavailable');
  });

  it('answers 504 upstream_timeout when the upstream does not answer in time', async () => {
    await failsWith(forwardRequest(request(upstream.url, { path: '/slow', timeoutMs: 150 })), 'upstream_timeout');
  });

  it('answers 504 when the body stops arriving: the deadline covers the whole response', async () => {
    await failsWith(forwardRequest(request(upstream.url, { path: '/trickle', timeoutMs: 150 })), 'upstream_timeout');
  });

  it('answers 502 upstream_response_too_large above the size cap, declared or chunked', async () => {
    await failsWith(forwardRequest(request(upstream.url, { path: '/big', maxResponseBytes: 1024 })), 'upstream_response_too_large');
    await failsWith(forwardRequest(request(upstream.url, { path: '/chunked-big', maxResponseBytes: 1024 })), 'upstream_response_too_large');
  });

  it('stays healthy after failures: the next request succeeds', async () => {
    await failsWith(forwardRequest(request(upstream.url, { path: '/slow', timeoutMs: 100 })), 'upstream_timeout');
    await failsWith(forwardRequest(request(upstream.url, { path: '/reset' })), 'upstream_unavailable');
    assert.equal((await forwardRequest(request(upstream.url))).status, 200);
  });

  it('returns binary bodies base64-encoded with isBase64Encoded', async () => {
    const result = toProxyResult(await forwardRequest(request(upstream.url, { path: '/png' })), 'rest');
    assert.equal(result.isBase64Encoded, true);
    assert.deepEqual(Buffer.from(result.body, 'base64'), PNG);
    assert.deepEqual(result.multiValueHeaders?.['content-type'], ['image/png']);
  });

  it('returns text bodies as strings', async () => {
    const result = toProxyResult(await forwardRequest(request(upstream.url)), 'http-v2');
    assert.equal(result.isBase64Encoded, false);
    assert.equal((JSON.parse(result.body) as { method: string }).method, 'GET');
  });

  it('keeps repeated response headers: multiValueHeaders for REST, cookies for HTTP API; drops hop-by-hop', async () => {
    const res = await forwardRequest(request(upstream.url, { path: '/headers' }));
    const rest = toProxyResult(res, 'rest');
    assert.equal(rest.statusCode, 201);
    assert.deepEqual(rest.multiValueHeaders?.['set-cookie'], ['a=1; Path=/', 'b=2; Path=/']);
    assert.deepEqual(rest.multiValueHeaders?.['x-multi'], ['one', 'two']);
    for (const hop of ['connection', 'keep-alive', 'x-hop', 'content-length', 'transfer-encoding'])
      assert.equal(rest.multiValueHeaders?.[hop], undefined, hop);
    const v2 = toProxyResult(res, 'http-v2');
    assert.deepEqual(v2.cookies, ['a=1; Path=/', 'b=2; Path=/']);
    assert.equal(v2.headers['x-multi'], 'one, two');
    assert.equal(v2.headers['set-cookie'], undefined);
  });
});
