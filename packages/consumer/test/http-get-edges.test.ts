// The bounded GET over https with an extra CA, and how each failure is reported: typed, with its cause, never thrown.
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { HttpGetError, httpGet, isLoopbackHost, type HttpGetFailure } from '../src/index.js';
import { TEST_CERT, TEST_CERT_KEY } from './support/tls.js';
import { closeServer, listenOnLoopback } from './support/loopback.js';

const LIMITS = { timeoutMs: 5000, maxBytes: 1024 };

async function failureOf(promise: Promise<unknown>, failure: HttpGetFailure): Promise<HttpGetError> {
  const err = await promise.then(
    () => assert.fail('expected a failure'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof HttpGetError, `expected an HttpGetError, got ${String(err)}`);
  assert.equal(err.name, 'HttpGetError');
  assert.equal(err.failure, failure, err.message);
  return err;
}

const listen = async (server: Server): Promise<string> => `127.0.0.1:${await listenOnLoopback(server)}`;

describe('Function: httpGet over https and its failure details', () => {
  let tls: Server;
  let plain: Server;
  let tlsHost: string;
  let plainHost: string;

  before(async () => {
    tls = createHttpsServer({ cert: TEST_CERT, key: TEST_CERT_KEY }, (_req, res) => res.writeHead(200).end('{"keys":[]}'));
    tlsHost = await listen(tls);
    plain = createHttpServer((req, res) => {
      // Promises 100 bytes, sends 10, then cuts the connection: the response stream fails mid-body.
      res.writeHead(200, { 'content-length': '100' });
      res.write('x'.repeat(10), () => req.socket.destroy());
    });
    plainHost = await listen(plain);
  });
  after(async () => {
    await closeServer(tls);
    await closeServer(plain);
  });

  it('fetches over https from a server whose certificate the extra CA signed', async () => {
    const body = await httpGet(`https://${tlsHost}/jwks`, { ...LIMITS, ca: TEST_CERT });
    assert.equal(body.toString(), '{"keys":[]}');
    assert.equal((await httpGet(`https://${tlsHost}/jwks`, { ...LIMITS, ca: [TEST_CERT] })).toString(), '{"keys":[]}');
  });

  it('refuses a certificate no trusted CA signed, as a network failure with its cause', async () => {
    const err = await failureOf(httpGet(`https://${tlsHost}/jwks`, LIMITS), 'network');
    assert.ok(err.cause instanceof Error);
  });

  it('reports a connection cut mid-body as a network failure, not a timeout', async () => {
    const err = await failureOf(httpGet(`http://${plainHost}/jwks`, LIMITS), 'network');
    assert.ok(err.cause instanceof Error);
  });

  it('rejects, never throws, when the TLS options are unusable', async () => {
    const unusable = { ...LIMITS, ca: 42 as unknown as string };
    const err = await failureOf(httpGet(`https://${tlsHost}/jwks`, unusable), 'network');
    assert.ok(err.cause instanceof Error);
  });

  it('keeps the URL parser error as the cause of a url failure', async () => {
    const err = await failureOf(httpGet('not a url', LIMITS), 'url');
    assert.ok(err.cause instanceof TypeError);
    assert.equal('cause' in (await failureOf(httpGet('http://meshgate.example.com/jwks', LIMITS), 'url')), false);
  });

  it('counts only whole 127.0.0.0/8 addresses as loopback', () => {
    for (const host of ['127.0.0.10', '127.255.255.254', '127.1.20.3']) assert.equal(isLoopbackHost(host), true, host);
    for (const host of ['evil127.0.0.1', '127.0.0.1.example.com', '128.0.0.1', '127.0.0']) assert.equal(isLoopbackHost(host), false, host);
  });
});
