// End to end (issue 4): the `demo` upstream points at a test-controlled loopback server that fails on demand → 502 / 504.
import { after, afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { bearer, rawRequest } from './support/client';
import { closeServer, freePort, listenOnLoopback, useStack } from './support/stack';

type Mode = 'ok' | 'slow' | 'reset';

let mode: Mode = 'ok';
let hits = 0;
const held = new Set<ServerResponse>();
let port = 0;
let upstream: Server;

function controlled(): Server {
  return createServer((req, res) => {
    hits++;
    if (mode === 'reset') {
      req.socket.destroy();
      return;
    }
    if (mode === 'slow') {
      // Answer only when the test is over: far beyond the route's 3 s upstream timeout.
      held.add(res);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }));
  });
}

// The controlled upstream starts first: the stack's MESHGATE_UPSTREAMS points `demo` at it.
const stack = useStack(async () => {
  port = await freePort();
  upstream = controlled();
  await listenOnLoopback(upstream, port);
  return { upstreamUrl: `http://127.0.0.1:${port}` };
});

afterEach(async () => {
  mode = 'ok';
  for (const res of held) res.destroy();
  held.clear();
  if (!upstream.listening) {
    upstream = controlled();
    await listenOnLoopback(upstream, port);
  }
});

after(async () => {
  for (const res of held) res.destroy();
  await closeServer(upstream);
});

async function whoami(): Promise<{ status: number; problem: Record<string, unknown> }> {
  const token = await stack().issuer.issueToken();
  const res = await rawRequest(`${stack().api}/whoami`, { headers: [bearer(token)] });
  return { status: res.status, problem: res.status >= 400 ? res.json() : {} };
}

describe('ingress upstream failures through serverless offline', () => {
  it('answers 200 while the upstream is healthy (the control case)', async () => {
    const seen = hits;
    const { status } = await whoami();
    assert.equal(status, 200);
    assert.equal(hits, seen + 1);
  });

  it('answers 504 problem+json when the upstream does not answer within the route timeout', async () => {
    mode = 'slow';

    const { status, problem } = await whoami();

    assert.equal(status, 504);
    assert.match(String(problem.type), /upstream_timeout/);
  });
  it('answers 502 problem+json when the upstream resets the connection', async () => {
    mode = 'reset';
    const seen = hits;

    const { status, problem } = await whoami();

    assert.equal(status, 502);
    assert.match(String(problem.type), /upstream_unavailable/);
    assert.ok(hits > seen, 'the request reached the upstream before it was reset');
  });

  it('answers 502 problem+json when the upstream refuses connections', async () => {
    await closeServer(upstream);

    const { status, problem } = await whoami();

    assert.equal(status, 502);
    assert.equal(problem.status, 502);
    assert.match(String(problem.type), /upstream_unavailable/);
  });
});
