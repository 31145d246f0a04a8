// Runs the header and payload corpora (headers.json, payloads.json) through the real ingress pipeline on loopback.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { ERROR_CODES } from '../../src/errors';
import type { HttpResult, Problem } from '../../src/http/problem';
import { handleIngressEvent } from '../../src/ingress/pipeline';
import { authorizerContext, httpApiEvent, restEvent, type ProxyEventInput } from '../support/events';
import { route as testRoute } from '../support/ingress-routes';
import { assertForwardedSafely, prototypeSnapshot, rawValues, startIngressHarness, type IngressHarness } from './ingress-harness';
import headerCorpus from './headers.json';
import payloadCorpus from './payloads.json';

type Format = 'rest' | 'http-v2';
type Repeat = { $repeat: [string, number, string?] };
type Text = string | Repeat;
/** A list claim: items, or `{ $list: [item, n] }` for n copies. */
type ListSpec = Text[] | { $list: [string, number] };

interface Expectation {
  readonly status: number;
  readonly code?: string;
  readonly upstream?: {
    readonly equals?: Record<string, Text>;
    readonly notEquals?: Record<string, string>;
    readonly absent?: readonly string[];
    readonly atMostOne?: readonly string[];
    readonly ifPresentOneOf?: Record<string, readonly string[]>;
  };
  /** Fields of the identity the consumer module trusted from the forwarded assertion. */
  readonly trusted?: Readonly<Record<string, unknown>>;
}

interface HeaderCase {
  readonly name: string;
  readonly formats?: readonly Format[];
  readonly request?: {
    method?: string;
    path?: string;
    resource?: string;
    requestId?: string;
    /** Decoded query pairs, name → values. */
    query?: Record<string, string[]>;
    headers?: Record<string, string>;
    multiValueHeaders?: Record<string, string[]>;
  };
  /** The verified identity: strings for sub/iss/type/tenant/clientId/exp, lists for groups and scopes. */
  readonly claims?: Record<string, Text | ListSpec>;
  /** Raw authorizer-context entries laid over the authorizer's own (null removes one): contexts the authorizer never writes. */
  readonly context?: Record<string, unknown>;
  readonly expect: Expectation;
}

type BodySpec =
  | string
  | { $hex: string }
  | { $base64: string }
  | { $nest: [string, string, number, Text?] }
  | { $sized: [string, 'max' | 'max+1']; base64?: boolean }
  | { $gzipZeros: number }
  | { $gzipText: string };

interface PayloadCase {
  readonly name: string;
  readonly route: string;
  /** null: no Content-Type header; a list: one header per value. @default application/json */
  readonly contentType?: string | string[] | null;
  readonly contentEncoding?: string;
  readonly body: BodySpec;
  readonly expect: Expectation;
}

const text = (t: Text): string =>
  typeof t === 'string' ? t : Array.from({ length: t.$repeat[1] }, () => t.$repeat[0]).join(t.$repeat[2] ?? '');
const list = (l: ListSpec): string[] => (Array.isArray(l) ? l.map(text) : Array.from({ length: l.$list[1] }, () => l.$list[0]));

/** The authorizer context exactly as meshgate's authorizer writes it for these claims, then the raw overrides. */
function contextOf(c: HeaderCase): Record<string, unknown> {
  const strings: Record<string, string> = {};
  for (const [name, value] of Object.entries(c.claims ?? {})) {
    if (name === 'groups' || name === 'scopes') strings[`${name}Json`] = JSON.stringify(list(value as ListSpec));
    else strings[name] = text(value as Text);
  }
  const context: Record<string, unknown> = authorizerContext(strings);
  for (const [name, value] of Object.entries(c.context ?? {})) {
    if (value === null) delete context[name];
    else context[name] = value;
  }
  return context;
}

function bodyOf(spec: BodySpec, maxBodyBytes: number): { body: string; isBase64Encoded: boolean } {
  if (typeof spec === 'string') return { body: spec, isBase64Encoded: false };
  if ('$hex' in spec) return { body: Buffer.from(spec.$hex, 'hex').toString('base64'), isBase64Encoded: true };
  if ('$base64' in spec) return { body: Buffer.from(spec.$base64).toString('base64'), isBase64Encoded: true };
  if ('$nest' in spec) {
    const [open, close, depth, middle] = spec.$nest;
    return { body: open.repeat(depth) + (middle === undefined ? '' : text(middle)) + close.repeat(depth), isBase64Encoded: false };
  }
  if ('$sized' in spec) {
    const [json, size] = spec.$sized;
    const bytes = size === 'max' ? maxBodyBytes : maxBodyBytes + 1;
    const padded = json + ' '.repeat(bytes - Buffer.byteLength(json));
    assert.equal(Buffer.byteLength(padded), bytes);
    return spec.base64 ? { body: Buffer.from(padded).toString('base64'), isBase64Encoded: true } : { body: padded, isBase64Encoded: false };
  }
  if ('$gzipZeros' in spec) return { body: gzipSync(Buffer.alloc(spec.$gzipZeros)).toString('base64'), isBase64Encoded: true };
  return { body: gzipSync(spec.$gzipText).toString('base64'), isBase64Encoded: true };
}

function eventFor(format: Format, input: ProxyEventInput, claims: Record<string, unknown>): Record<string, unknown> {
  // REST delivers every context value as a string (API Gateway stringifies them); HTTP API keeps them as returned.
  if (format === 'rest')
    return restEvent(input, Object.fromEntries(Object.entries(claims).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])));
  // HTTP API 2.0 has no multi-value map: API Gateway joins repeated headers with commas.
  const joined = Object.fromEntries(Object.entries(input.multiValueHeaders ?? {}).map(([k, v]) => [k, v.join(',')]));
  return httpApiEvent({ ...input, headers: { ...input.headers, ...joined }, multiValueHeaders: undefined }, { lambda: claims });
}

const problemOf = (result: HttpResult): Problem => JSON.parse(result.body) as Problem;

describe('Corpus: header, claim and payload attacks through the real ingress (test/attacks/*.json)', () => {
  let h: IngressHarness;
  let prototypeBefore: string[];

  before(async () => {
    prototypeBefore = prototypeSnapshot();
    h = await startIngressHarness();
  });
  after(() => h.close());

  /** Sends one event; checks the status, the problem code or the forwarded request, and that the upstream saw only what it should. */
  async function send(format: Format, input: ProxyEventInput, claims: Record<string, unknown>, expect: Expectation): Promise<void> {
    const before = h.upstream.requests.length;
    const result = await handleIngressEvent(h.ingress, eventFor(format, input, claims));
    assert.ok(result.statusCode < 500, `${format}: ${result.statusCode} ${result.body.slice(0, 200)}`);
    assert.equal(result.statusCode, expect.status, `${format}: ${result.body.slice(0, 300)}`);
    if (expect.status !== 200) {
      assert.equal(problemOf(result).code, expect.code, format);
      assert.equal(h.upstream.requests.length, before, `${format}: the upstream must never see a rejected request`);
      return;
    }
    assert.equal(h.upstream.requests.length, before + 1, format);
    const seen = h.upstream.requests[before]!;
    const trusted = await assertForwardedSafely(h, seen);
    assert.equal(trusted.sub, claims.sub, 'the assertion carries the verified subject, unencoded');
    const u = expect.upstream ?? {};
    for (const [name, value] of Object.entries(u.equals ?? {}))
      assert.deepEqual(rawValues(seen, name), [text(value)], `${format}: ${name}`);
    for (const [name, value] of Object.entries(u.notEquals ?? {})) assert.ok(!rawValues(seen, name).includes(value), `${format}: ${name}`);
    for (const name of u.absent ?? []) assert.deepEqual(rawValues(seen, name), [], `${format}: ${name} must not reach the upstream`);
    for (const name of u.atMostOne ?? []) assert.ok(rawValues(seen, name).length <= 1, `${format}: ${name} more than once`);
    for (const [name, allowed] of Object.entries(u.ifPresentOneOf ?? {}))
      for (const v of rawValues(seen, name)) assert.ok(allowed.includes(v), `${format}: ${name}=${v}`);
    for (const [field, value] of Object.entries(expect.trusted ?? {}))
      assert.deepEqual((trusted as unknown as Record<string, unknown>)[field], value, `${format}: trusted ${field}`);
    if (typeof input.body === 'string') {
      const sent = input.isBase64Encoded ? Buffer.from(input.body, 'base64') : Buffer.from(input.body);
      assert.ok(seen.body.equals(sent), `${format}: the body reaches the upstream unchanged`);
    }
  }

  it('is well-formed data: unique names, known problem codes, 4xx statuses or 200 controls', () => {
    const all = [...headerCorpus.cases, ...payloadCorpus.cases] as Array<{ name: string; expect: Expectation }>;
    assert.equal(new Set(all.map((c) => c.name)).size, all.length, 'case names are unique');
    for (const c of all) {
      assert.ok(c.expect.status === 200 || (c.expect.status >= 400 && c.expect.status < 500), c.name);
      if (c.expect.status !== 200)
        assert.ok((ERROR_CODES as readonly string[]).includes(c.expect.code ?? ''), `${c.name}: ${c.expect.code}`);
    }
  });

  describe('headers.json', () => {
    for (const c of headerCorpus.cases as unknown as HeaderCase[]) {
      it(`${c.expect.status === 200 ? 'forwards safely' : `answers ${c.expect.status} ${c.expect.code}`}: ${c.name}`, async () => {
        const claims = contextOf(c);
        for (const format of c.formats ?? (['rest', 'http-v2'] as const)) await send(format, { ...c.request }, claims, c.expect);
      });
    }
  });

  describe('payloads.json', () => {
    for (const c of payloadCorpus.cases as unknown as PayloadCase[]) {
      it(`${c.expect.status === 200 ? 'forwards' : `answers ${c.expect.status} ${c.expect.code}`}: ${c.name}`, async () => {
        const target = testRoute(c.route);
        const path = target.path.replace('{name}', 'a.bin').replace('{id}', '1');
        const types =
          c.contentType === null ? [] : typeof c.contentType === 'string' ? [c.contentType] : (c.contentType ?? ['application/json']);
        const multiValueHeaders: Record<string, string[]> = types.length > 0 ? { 'Content-Type': types } : {};
        if (c.contentEncoding !== undefined) multiValueHeaders['Content-Encoding'] = [c.contentEncoding];
        const { body, isBase64Encoded } = bodyOf(c.body, target.maxBodyBytes);
        for (const format of ['rest', 'http-v2'] as const) {
          await send(
            format,
            { method: target.method, path, resource: target.path, multiValueHeaders, body, isBase64Encoded },
            authorizerContext(),
            c.expect,
          );
        }
        assert.deepEqual(prototypeSnapshot(), prototypeBefore, 'Object.prototype gained a property');
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
      });
    }
  });

  it('left Object.prototype exactly as it was', () => {
    assert.deepEqual(prototypeSnapshot(), prototypeBefore);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
