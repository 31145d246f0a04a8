// Property-based fuzzing of the whole ingress pipeline (validator → enricher → signer → forward) on loopback.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { handleIngressEvent } from '../../src/ingress/pipeline';
import { captureLogs, type LogCapture } from '../support/logs';
import { authorizerContext, httpApiEvent, restEvent, type ProxyEventInput } from '../support/events';
import { assertForwardedSafely, prototypeSnapshot, startIngressHarness, type IngressHarness } from '../attacks/ingress-harness';

// Names an attacker would try, in random letter case, plus arbitrary strings.
const headerName = fc.oneof(
  fc.mixedCase(
    fc.constantFrom(
      'x-identity-sub',
      'x-identity-groups',
      'x-identity-assertion',
      'x-identity-admin',
      'x_identity_sub',
      'x-identity_tenant',
      'x-request-id',
      'traceparent',
      'tracestate',
      'x-amzn-trace-id',
      'authorization',
      'host',
      'connection',
      'content-length',
      'transfer-encoding',
      'upgrade',
      'proxy-authorization',
      'accept',
      '__proto__',
      'constructor',
    ),
  ),
  fc.string({ minLength: 1, maxLength: 24 }),
);
const headerValue = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 48 }),
  fc.constantFrom(
    'admin',
    'a\r\nx-identity-sub: admin',
    'x\u0000y',
    'close, x-identity-sub',
    '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    'chunked',
    '',
  ),
);
const claimValue = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('user\r\nx-identity-groups: admin', 'a\u0000b', 'é,🚀 %2C'),
);
const claims = fc.record({
  sub: fc.oneof(claimValue, fc.constant('user-123')),
  iss: claimValue,
  type: fc.constantFrom('user', 'service', 'iam', ''),
  scopesJson: fc.oneof(
    fc.constant('["orders:read","orders:write"]'),
    fc.array(fc.oneof(fc.stringMatching(/^[\x21-\x7e]{1,16}$/), claimValue), { maxLength: 4 }).map((l) => JSON.stringify(l)),
  ),
  groupsJson: fc.oneof(
    fc.constant('["staff","admin"]'),
    fc.array(claimValue, { maxLength: 5 }).map((l) => JSON.stringify(l)),
  ),
  tenant: claimValue,
  clientId: claimValue,
});
const format = fc.constantFrom('rest' as const, 'http-v2' as const);

function eventOf(f: 'rest' | 'http-v2', input: ProxyEventInput, context: Record<string, string>): Record<string, unknown> {
  return f === 'rest' ? restEvent(input, context) : httpApiEvent(input, { lambda: context });
}

describe('Fuzz: the ingress pipeline end to end (fast-check)', () => {
  let h: IngressHarness;
  let prototypeBefore: string[];
  let logs: LogCapture;

  before(async () => {
    prototypeBefore = prototypeSnapshot();
    h = await startIngressHarness();
    logs = captureLogs(); // thousands of access-decision lines; kept out of the test report
  });
  after(async () => {
    logs.stop();
    await h.close();
    assert.deepEqual(prototypeSnapshot(), prototypeBefore, 'a fuzzed request added a property to Object.prototype');
  });

  /**
   * Sends one event and checks the invariants: no throw, never 5xx; a 4xx never reaches the upstream; a forward
   * reaches it once, carries only meshgate's identity headers, no CR/LF/NUL, an assertion that verifies against the
   * published JWKS and binds the path the upstream saw, and the body unchanged. Returns whether it was forwarded.
   */
  async function check(event: Record<string, unknown>, context: Record<string, string>, sentBody?: Buffer): Promise<boolean> {
    const before = h.upstream.requests.length;
    const result = await handleIngressEvent(h.ingress, event);
    assert.ok(result.statusCode >= 200 && result.statusCode < 500, `status ${result.statusCode}: ${result.body.slice(0, 200)}`);
    if (result.statusCode >= 400) {
      assert.equal(h.upstream.requests.length, before, 'a rejected request reached the upstream');
      assert.equal((JSON.parse(result.body) as { status: number }).status, result.statusCode);
      return false;
    }
    assert.equal(h.upstream.requests.length, before + 1);
    const seen = h.upstream.requests[before]!;
    const trusted = await assertForwardedSafely(h, seen);
    assert.equal(trusted.sub, context.sub);
    assert.deepEqual(trusted.groups, JSON.parse(context.groupsJson!), 'the assertion carries the context groups exactly');
    assert.deepEqual(trusted.scopes, JSON.parse(context.scopesJson!), 'the assertion carries the context scopes exactly');
    if (sentBody !== undefined) assert.ok(seen.body.equals(sentBody), 'the forwarded body differs from the validated one');
    return true;
  }

  it('any headers and claim values: only meshgate identity headers, no CR/LF/NUL, a verifying assertion', async () => {
    let forwarded = 0;
    await fc.assert(
      fc.asyncProperty(
        format,
        fc.dictionary(headerName, headerValue, { maxKeys: 8 }),
        fc.dictionary(headerName, fc.array(headerValue, { minLength: 1, maxLength: 3 }), { maxKeys: 6 }),
        claims,
        fc.constantFrom('/whoami', '/orders/42', '/admin/reports'),
        async (f, headers, multiValueHeaders, context, path) => {
          const input: ProxyEventInput = {
            path,
            resource: path === '/orders/42' ? '/orders/{id}' : path,
            headers,
            multiValueHeaders: f === 'rest' ? multiValueHeaders : undefined,
          };
          const ctx = authorizerContext(context);
          if (await check(eventOf(f, input, ctx), ctx)) forwarded++;
        },
      ),
      { numRuns: 250 },
    );
    assert.ok(forwarded >= 50, `only ${forwarded} of 250 runs were forwarded: the property checked too little`);
  });

  it('any body, encoding, content type and content coding: 2xx with the body unchanged, or a 4xx that never reaches the upstream', async () => {
    type Req = { method: string; path: string; resource: string; bytes: Buffer; contentType?: string; contentEncoding?: string };
    const validOrder = fc
      .record({ sku: fc.stringMatching(/^[A-Z0-9-]{3,32}$/), quantity: fc.integer({ min: 1, max: 1000 }) })
      .map((o) => JSON.stringify(o));
    const routes = fc.constantFrom<[string, string, string]>(
      ['POST', '/orders', '/orders'],
      ['POST', '/notes', '/notes'],
      ['PUT', '/files/a.bin', '/files/{name}'],
      ['PATCH', '/echo/x', '/echo/{proxy+}'],
    );
    const anyBytes = fc.oneof(
      validOrder.map((t) => Buffer.from(t)),
      fc.json({ maxDepth: 4 }).map((t) => Buffer.from(t)),
      fc.string({ unit: 'binary', maxLength: 64 }).map((t) => Buffer.from(t)),
      fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
      validOrder.map((t) => gzipSync(t)),
    );
    // Anything goes: routes, bytes, media types and content codings mixed at random.
    const anyRequest = fc
      .record({
        route: routes,
        bytes: anyBytes,
        contentType: fc.option(
          fc.constantFrom(
            'application/json',
            'text/plain',
            'application/octet-stream',
            'image/png',
            'application/json; charset=utf-16',
            'Application/JSON; Charset=UTF-8',
            'application/problem+json',
            '',
          ),
          { nil: undefined, freq: 8 },
        ),
        contentEncoding: fc.option(fc.mixedCase(fc.constantFrom('gzip', 'identity', 'br', 'deflate, gzip')), { nil: undefined, freq: 2 }),
      })
      .map(({ route: [method, path, resource], ...rest }): Req => ({ method, path, resource, ...rest }));
    // Plausible requests with random content, so that enough of them are forwarded to check what the upstream gets.
    const plausible = fc.oneof(
      validOrder.map((t): Req => ({
        method: 'POST',
        path: '/orders',
        resource: '/orders',
        bytes: Buffer.from(t),
        contentType: 'application/json',
      })),
      fc.json({ maxDepth: 6 }).map((t): Req => ({
        method: 'POST',
        path: '/notes',
        resource: '/notes',
        bytes: Buffer.from(t),
        contentType: 'application/json; charset=utf-8',
      })),
      fc
        .string({ unit: 'grapheme', maxLength: 64 })
        .map((t): Req => ({ method: 'POST', path: '/notes', resource: '/notes', bytes: Buffer.from(t), contentType: 'text/plain' })),
      fc.uint8Array({ maxLength: 16 }).map((a): Req => ({
        method: 'PUT',
        path: '/files/a.bin',
        resource: '/files/{name}',
        bytes: Buffer.from(a),
        contentType: 'application/octet-stream',
        contentEncoding: 'gzip',
      })),
    );
    let forwarded = 0;
    await fc.assert(
      fc.asyncProperty(format, fc.oneof(anyRequest, plausible), fc.boolean(), async (f, req, base64) => {
        const { bytes } = req;
        const asText = !base64 && Buffer.from(bytes.toString('utf8')).equals(bytes);
        const headers: Record<string, string> = {};
        if (req.contentType !== undefined) headers['content-type'] = req.contentType;
        if (req.contentEncoding !== undefined) headers['content-encoding'] = req.contentEncoding;
        const input: ProxyEventInput = {
          method: req.method,
          path: req.path,
          resource: req.resource,
          headers,
          body: asText ? bytes.toString('utf8') : bytes.toString('base64'),
          isBase64Encoded: !asText,
        };
        const ctx = authorizerContext();
        if (await check(eventOf(f, input, ctx), ctx, bytes.length === 0 ? undefined : bytes)) forwarded++;
      }),
      { numRuns: 300 },
    );
    assert.ok(forwarded >= 60, `only ${forwarded} of 300 runs were forwarded: the property checked too little`);
  });

  it('any path under a proxy route: the assertion binds the exact path the upstream received', async () => {
    let forwarded = 0;
    await fc.assert(
      fc.asyncProperty(
        format,
        fc.array(fc.string({ unit: 'binary', maxLength: 12 }), { minLength: 1, maxLength: 4 }),
        fc.constantFrom('GET', 'DELETE', 'PUT'),
        async (f, segments, method) => {
          const ctx = authorizerContext();
          const event = eventOf(f, { method, path: `/echo/${segments.join('/')}`, resource: '/echo/{proxy+}' }, ctx);
          if (await check(event, ctx)) forwarded++;
        },
      ),
      { numRuns: 200 },
    );
    assert.ok(forwarded >= 100, `only ${forwarded} of 200 runs were forwarded`);
  });
});
