import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { MeshgateError } from '../../src/errors';
import { forwardRequest } from '../../src/ingress/forward';
import { upstreamRequest as request } from '../support/upstream-request';
import { closedPort, echo, startUpstream, type UpstreamServer } from '../support/upstream-server';

const LIMIT = 1024;

/** The upstream error the request ends in: its code and the details the access-decision log line carries. */
async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof MeshgateError, `not a MeshgateError: ${String(err)}`);
    return { code: err.code, message: err.message, details: { ...err.details } };
  }
  assert.fail('the request succeeded');
}

/**
 * An upstream that answers a socket's first request and resets the socket on any later one: what a server does when
 * it closes an idle keep-alive connection just as the client reuses it.
 */
async function closesReusedSockets(
  answer: http.RequestListener = (_req, res) => res.writeHead(200, { 'content-length': '2' }).end('ok'),
): Promise<UpstreamServer> {
  const served = new WeakSet<Socket>();
  return startUpstream((req, res) => {
    if (served.has(req.socket)) return req.socket.destroy();
    served.add(req.socket);
    answer(req, res);
  });
}

describe('forwardRequest: failures become 502/504 problems naming their cause', () => {
  let upstream: UpstreamServer;
  before(async () => {
    upstream = await startUpstream((req, res, seen) => {
      if (seen.url.startsWith('/declared-big')) {
        // declares more than the cap, sends a little, then nothing: refused on the declaration, not after a timeout
        res.writeHead(200, { 'content-length': String(LIMIT + 1) });
        return void res.write('x');
      }
      if (seen.url.startsWith('/declared-exact')) {
        res.writeHead(200, { 'content-length': String(LIMIT) });
        return res.end('d'.repeat(LIMIT));
      }
      if (seen.url.startsWith('/chunked-exact')) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        for (let i = 0; i < 4; i++) res.write('c'.repeat(LIMIT / 4));
        return res.end();
      }
      if (seen.url.startsWith('/cut')) {
        res.writeHead(200, { 'content-length': '100' });
        res.write('partial');
        return void setImmediate(() => req.socket.destroy());
      }
      echo(req, res, seen);
    });
  });
  after(() => upstream.close());

  it('refuses a connection as upstream_unavailable whose log cause is the socket error code', async () => {
    const err = await failure(forwardRequest(request(`http://127.0.0.1:${await closedPort()}`)));
    assert.deepEqual(err, {
      code: 'upstream_unavailable',
      message: 'upstream demo: ECONNREFUSED',
      details: { upstream: 'demo', cause: 'ECONNREFUSED' },
    });
  });

  it('sends an https base URL over TLS: a refused TLS upstream is upstream_unavailable, never an internal error', async () => {
    const err = await failure(forwardRequest(request(`https://127.0.0.1:${await closedPort()}`)));
    assert.deepEqual(err.details, { upstream: 'demo', cause: 'ECONNREFUSED' });
  });

  it('names the deadline and the size cap as the cause of 504 and 502', async () => {
    const slow = await startUpstream(() => undefined);
    try {
      const timeout = await failure(forwardRequest(request(slow.url, { timeoutMs: 100 })));
      assert.deepEqual([timeout.code, timeout.details], ['upstream_timeout', { upstream: 'demo', cause: 'MESHGATE_TIMEOUT' }]);
    } finally {
      await slow.close();
    }
    const big = await failure(forwardRequest(request(upstream.url, { path: '/declared-big', maxResponseBytes: LIMIT, timeoutMs: 10_000 })));
    assert.deepEqual([big.code, big.details], ['upstream_response_too_large', { upstream: 'demo', cause: 'MESHGATE_TOO_LARGE' }]);
  });

  it('accepts a response of exactly the size cap, declared or chunked', async () => {
    const declared = await forwardRequest(request(upstream.url, { path: '/declared-exact', maxResponseBytes: LIMIT }));
    assert.equal(declared.body.toString(), 'd'.repeat(LIMIT));
    const chunked = await forwardRequest(request(upstream.url, { path: '/chunked-exact', maxResponseBytes: LIMIT }));
    assert.equal(chunked.body.toString(), 'c'.repeat(LIMIT));
  });

  it('answers upstream_unavailable (ECONNRESET) when the upstream dies in the middle of the body, never a truncated 200', async () => {
    const err = await failure(forwardRequest(request(upstream.url, { path: '/cut' })));
    assert.deepEqual([err.code, err.details], ['upstream_unavailable', { upstream: 'demo', cause: 'ECONNRESET' }]);
  });

  it('reaches an IPv6 loopback upstream given in brackets', async () => {
    const server = http.createServer((_req, res) => res.end('v6'));
    await new Promise<void>((resolve) => server.listen(0, '::1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await forwardRequest(request(`http://[::1]:${port}`));
      assert.deepEqual([res.status, res.body.toString()], [200, 'v6']);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('forwardRequest: a reset on a reused keep-alive socket', () => {
  for (const method of ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']) {
    it(`retries an idempotent ${method} once on a fresh connection`, async () => {
      const upstream = await closesReusedSockets();
      try {
        assert.equal((await forwardRequest(request(upstream.url, { method }))).status, 200);
        assert.equal((await forwardRequest(request(upstream.url, { method }))).status, 200);
        assert.deepEqual(
          [upstream.requests.length, upstream.connections()],
          [3, 2],
          'the reset request, then its retry on a new connection',
        );
      } finally {
        await upstream.close();
      }
    });
  }

  for (const method of ['POST', 'PATCH']) {
    it(`never retries a ${method}: it may have reached the service`, async () => {
      const upstream = await closesReusedSockets();
      try {
        await forwardRequest(request(upstream.url, { method, body: Buffer.from('{}') }));
        const err = await failure(forwardRequest(request(upstream.url, { method, body: Buffer.from('{}') })));
        assert.deepEqual([err.code, err.details.cause], ['upstream_unavailable', 'ECONNRESET']);
        assert.equal(upstream.requests.length, 2, 'sent once each');
      } finally {
        await upstream.close();
      }
    });
  }

  it('does not retry other failures on a reused socket: an oversized answer is refused after one request', async () => {
    const upstream = await startUpstream((_req, res) => res.end('y'.repeat(LIMIT + 1)));
    try {
      assert.equal((await forwardRequest(request(upstream.url, { maxResponseBytes: 10 * LIMIT }))).status, 200); // warms the socket
      const before = upstream.requests.length;
      const err = await failure(forwardRequest(request(upstream.url, { maxResponseBytes: LIMIT })));
      assert.equal(err.code, 'upstream_response_too_large');
      assert.equal(upstream.requests.length - before, 1, 'not retried');
    } finally {
      await upstream.close();
    }
  });
});
