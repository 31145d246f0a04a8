// One size budget end to end: at the limits the real ingress forwards to a default Node server and the consumer
// accepts; one step past them the ingress answers 431 headers_too_large and forwards nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { MAX_ASSERTION_LENGTH } from '@meshgate/consumer';
import { MAX_CLAIM_ITEMS } from '../../src/auth/identity';
import type { Problem } from '../../src/http/problem';
import { handleIngressEvent } from '../../src/ingress/pipeline';
import { forwardRequest } from '../../src/ingress/forward';
import { forwardedHeadBytes, UPSTREAM_MAX_HEADER_BYTES } from '../../src/ingress/size-budget';
import type { SeenRequest } from '../support/upstream-server';
import { authorizerContext, httpApiEvent, restEvent } from '../support/events';
import { assertForwardedSafely, startIngressHarness, type IngressHarness } from './ingress-harness';

type Format = 'rest' | 'http-v2';

/** The head as the upstream received it, counted as forwardedHeadBytes counts it. */
function seenHeadBytes(seen: SeenRequest): number {
  let bytes = `${seen.method} ${seen.url} HTTP/1.1\r\n`.length + 2;
  for (let i = 0; i + 1 < seen.rawHeaders.length; i += 2) bytes += seen.rawHeaders[i]!.length + seen.rawHeaders[i + 1]!.length + 4;
  return bytes;
}

const assertionOf = (seen: SeenRequest): string => seen.headers['x-identity-assertion'] as string;

describe('Size budget: the largest identity and headers the edge forwards are ones a Node service and the consumer accept', () => {
  let h: IngressHarness;
  before(async () => {
    h = await startIngressHarness();
  });
  after(() => h.close());

  async function send(format: Format, groups: readonly string[], headers: Record<string, string> = {}) {
    const context = authorizerContext({ groupsJson: JSON.stringify(groups) });
    const input = { path: '/whoami', headers };
    const event = format === 'rest' ? restEvent(input, context) : httpApiEvent(input, { lambda: context });
    const before = h.upstream.requests.length;
    const result = await handleIngressEvent(h.ingress, event);
    const seen = h.upstream.requests.length > before ? h.upstream.requests[before] : undefined;
    return { result, seen };
  }

  async function refused(format: Format, groups: readonly string[], headers?: Record<string, string>): Promise<Problem> {
    const { result, seen } = await send(format, groups, headers);
    assert.equal(result.statusCode, 431, result.body);
    assert.equal(seen, undefined, 'nothing is forwarded past the budget');
    const problem = JSON.parse(result.body) as Problem;
    assert.equal(problem.code, 'headers_too_large');
    return problem;
  }

  async function accepted(format: Format, groups: readonly string[], headers?: Record<string, string>): Promise<SeenRequest> {
    const { result, seen } = await send(format, groups, headers);
    assert.equal(result.statusCode, 200, result.body);
    assert.ok(seen);
    const trusted = await assertForwardedSafely(h, seen);
    assert.deepEqual(trusted.groups, groups, 'the consumer trusts every group');
    return seen;
  }

  it('counts the head exactly as Node writes it on the wire', async () => {
    let raw = '';
    const server = net.createServer((socket) => {
      socket.on('data', (chunk: Buffer) => {
        raw += chunk.toString('latin1');
        if (raw.includes('\r\n\r\n')) socket.end('HTTP/1.1 204 No Content\r\n\r\n');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseUrl = new URL(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`);
    const headers = { 'x-a': 'b', 'x-list': ['1', '22'], 'x-identity-assertion': 'h.p.s' };
    const body = Buffer.from('{"a":1}');
    try {
      await forwardRequest({ baseUrl, upstreamName: 'raw', method: 'POST', path: '/p', rawQuery: 'q=1', headers, body, timeoutMs: 2000 });
    } finally {
      server.close();
    }
    const head = raw.slice(0, raw.indexOf('\r\n\r\n') + 4);
    assert.equal(
      forwardedHeadBytes({ method: 'POST', target: '/p?q=1', host: baseUrl.host, headers, bodyBytes: body.length }),
      head.length,
    );
  });

  it('matches what a default Node server refuses: a head just past the budget gets 431 there', async () => {
    const padded = (bytes: number) =>
      new Promise<number>((resolve, reject) => {
        const fixed = forwardedHeadBytes({
          method: 'GET',
          target: '/',
          host: new URL(h.upstream.url).host,
          headers: { 'x-pad': '' },
          bodyBytes: 0,
        });
        const req = http.request(`${h.upstream.url}/`, {
          headers: { 'x-pad': 'p'.repeat(bytes - fixed), 'content-length': '0' },
          agent: new http.Agent({ keepAlive: true }),
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    assert.equal(await padded(UPSTREAM_MAX_HEADER_BYTES), 200);
    assert.equal(await padded(UPSTREAM_MAX_HEADER_BYTES + 256), 431);
  });

  for (const format of ['rest', 'http-v2'] as const) {
    it(`forwards the longest assertion a consumer reads and refuses one group character more (${format})`, async () => {
      // Calibrate: one long group; the payload grows by one byte per character, its base64url by 4/3.
      const probe = await accepted(format, ['g'.repeat(4000)]);
      const [, payload] = assertionOf(probe).split('.') as [string, string];
      const jsonBytes = Buffer.from(payload, 'base64url').length;
      const b64 = (n: number): number => Math.ceil((n * 4) / 3);
      const lengthWith = (group: number): number => assertionOf(probe).length + b64(jsonBytes + group - 4000) - b64(jsonBytes);
      let longest = 4000;
      while (lengthWith(longest + 1) <= MAX_ASSERTION_LENGTH) longest++;

      const atLimit = await accepted(format, ['g'.repeat(longest)]);
      assert.ok(assertionOf(atLimit).length <= MAX_ASSERTION_LENGTH && assertionOf(atLimit).length >= MAX_ASSERTION_LENGTH - 2);
      const problem = await refused(format, ['g'.repeat(longest + 1)]);
      assert.match(problem.detail ?? '', /assertion of \d+ characters; services read at most 8192/);
    });

    it(`forwards a head of exactly the budget to a default Node server and refuses one byte more (${format})`, async () => {
      const probe = await accepted(format, ['staff'], { 'x-pad': 'p' });
      const room = UPSTREAM_MAX_HEADER_BYTES - seenHeadBytes(probe);
      const atLimit = await accepted(format, ['staff'], { 'x-pad': 'p'.repeat(1 + room) });
      assert.equal(seenHeadBytes(atLimit), UPSTREAM_MAX_HEADER_BYTES);
      const problem = await refused(format, ['staff'], { 'x-pad': 'p'.repeat(2 + room) });
      assert.match(problem.detail ?? '', /would be 16385 bytes upstream; services accept at most 16384/);
    });

    it(`refuses the identity of the largest token the edge accepts (64 KiB of groups) with 431, not a downstream failure (${format})`, async () => {
      await refused(
        format,
        Array.from({ length: MAX_CLAIM_ITEMS }, (_, i) => `group-${i}-${'x'.repeat(240)}`),
      );
    });
  }
});
