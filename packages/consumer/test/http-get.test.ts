// The one bounded JWKS GET over real loopback HTTP: status, size, deadline, redirects, which URLs, and one settlement.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { HttpGetError, httpGet, isLoopbackHost, type HttpGetFailure } from '../src/index.js';
import { closeServer, listenOnLoopback } from './support/loopback.js';

const MAX = 1024;

async function rejectsWithFailure(promise: Promise<unknown>, failure: HttpGetFailure, status?: number): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof HttpGetError, `expected HttpGetError, got ${String(err)}`);
    assert.equal(err.failure, failure, err.message);
    if (status !== undefined) assert.equal(err.status, status);
    return true;
  });
}

describe('Function: httpGet', () => {
  let server: Server;
  let base: string;
  const seen: string[] = [];
  const closed: string[] = [];

  before(async () => {
    server = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.on('close', () => closed.push(req.url ?? ''));
      switch (req.url) {
        case '/ok':
          res.writeHead(200, { 'content-type': 'application/json' }).end(req.headers.accept);
          return;
        case '/exact':
          res.writeHead(200).end('x'.repeat(MAX));
          return;
        case '/big':
          // Several chunks past the limit, then a normal end: only the first failure may count.
          res.writeHead(200);
          for (let i = 0; i < 4; i++) res.write('x'.repeat(MAX));
          res.end();
          return;
        case '/redirect':
          res.writeHead(302, { location: '/ok' }).end();
          return;
        case '/down':
          res.writeHead(503).end('maintenance');
          return;
        case '/stall-headers':
          return; // never answers
        case '/stall-body':
          res.writeHead(200);
          res.write('{"keys":');
          return; // never ends
        default:
          res.writeHead(404).end();
      }
    });
    base = `http://127.0.0.1:${await listenOnLoopback(server)}`;
  });
  after(async () => {
    await closeServer(server);
  });

  it('resolves the body of a 200, asking for a JWK set', async () => {
    const body = await httpGet(`${base}/ok`, { timeoutMs: 2000, maxBytes: MAX });
    assert.equal(body.toString(), 'application/jwk-set+json, application/json');
  });

  it('rejects any other status, and does not follow a redirect', async () => {
    seen.length = 0;
    await rejectsWithFailure(httpGet(`${base}/down`, { timeoutMs: 2000, maxBytes: MAX }), 'status', 503);
    await rejectsWithFailure(httpGet(`${base}/redirect`, { timeoutMs: 2000, maxBytes: MAX }), 'status', 302);
    assert.deepEqual(seen, ['/down', '/redirect'], 'the redirect target was never requested');
  });

  it('accepts a body of exactly maxBytes and rejects one byte more as too_large, once', async () => {
    assert.equal((await httpGet(`${base}/exact`, { timeoutMs: 2000, maxBytes: MAX })).length, MAX);
    await rejectsWithFailure(httpGet(`${base}/exact`, { timeoutMs: 2000, maxBytes: MAX - 1 }), 'too_large');
    await rejectsWithFailure(httpGet(`${base}/big`, { timeoutMs: 2000, maxBytes: MAX }), 'too_large');
  });

  it('gives up after timeoutMs whether the headers or the body stall', async () => {
    await rejectsWithFailure(httpGet(`${base}/stall-headers`, { timeoutMs: 100, maxBytes: MAX }), 'timeout');
    await rejectsWithFailure(httpGet(`${base}/stall-body`, { timeoutMs: 100, maxBytes: MAX }), 'timeout');
  });

  it('reports a refused connection as a network failure', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    await rejectsWithFailure(httpGet(`http://127.0.0.1:${port}/jwks`, { timeoutMs: 2000, maxBytes: MAX }), 'network');
  });

  it('settles once: the first failure is the one reported, and the connection is closed behind it', async () => {
    closed.length = 0;
    // The size failures get a deadline far beyond what a busy CI machine needs to deliver the bytes, so they fail
    // on size first whatever the load; their timers must then stay silent.
    const outcomes = await Promise.allSettled([
      httpGet(`${base}/big`, { timeoutMs: 1000, maxBytes: MAX }),
      httpGet(`${base}/stall-body`, { timeoutMs: 1000, maxBytes: 4 }),
      httpGet(`${base}/stall-headers`, { timeoutMs: 50, maxBytes: MAX }),
    ]);
    assert.deepEqual(
      outcomes.map((o) => (o.status === 'rejected' ? (o.reason as HttpGetError).failure : 'resolved')),
      ['too_large', 'too_large', 'timeout'],
    );
    // Past every deadline: a timer left running would fire now, with nothing left to settle.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    for (const url of ['/big', '/stall-body', '/stall-headers']) assert.ok(closed.includes(url), `${url} still open`);
  });

  it('fetches plain http from loopback hosts only, before opening any connection', async () => {
    for (const url of [
      'http://example.com/jwks',
      'http://127.0.0.1.nip.io/jwks',
      'http://localhost.example.com/jwks',
      'ftp://127.0.0.1/jwks',
      'file:///etc/passwd',
      'not a url',
    ]) {
      await rejectsWithFailure(httpGet(url, { timeoutMs: 2000, maxBytes: MAX }), 'url');
    }
    assert.deepEqual(['127.0.0.1', '127.1.2.3', 'localhost', '[::1]', '::1'].map(isLoopbackHost), [true, true, true, true, true]);
    assert.deepEqual(['0.0.0.0', '10.0.0.1', '127.0.0.1.nip.io', 'localhost.example.com', '[::ffff:127.0.0.1]'].map(isLoopbackHost), [
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});
