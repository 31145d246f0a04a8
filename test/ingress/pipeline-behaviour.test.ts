import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient, SecretsManagerServiceException } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { SecretsManagerKeyStore } from '../../src/keys/key-store-secrets-manager';
import { sdkSecretReader } from '../../src/keys/secret-reader-sdk';
import { loadIngressConfig } from '../../functions/ingress/config';
import type { HttpResult, Problem } from '../../src/http/problem';
import { FileKeyStore } from '../../src/keys/key-store-file';
import { buildIngress, handleIngressEvent, type Ingress } from '../../src/ingress/pipeline';
import { UPSTREAM_MAX_HEADER_BYTES, forwardedHeadBytes } from '../../src/ingress/size-budget';
import type { OutgoingHeaders } from '../../src/ingress/headers';
import { authorizerContext, httpApiEvent, restEvent } from '../support/events';
import { TEST_ROUTES_JSON } from '../support/ingress-routes';
import { captureLogs, emfMetricsOf, withOneLogLine } from '../support/logs';
import { closedPort, startUpstream, type UpstreamServer } from '../support/upstream-server';

const ISSUER = 'http://127.0.0.1:3000';
const METRICS = [
  'IngressForwarded',
  'IngressDeny',
  'IngressInvalid',
  'IngressNotFound',
  'IngressUnauthorized',
  'IngressUpstreamError',
  'IngressError',
  'IngressConfigInvalid',
  'IngressKeyStoreUnavailable',
];

type Entry = Record<string, unknown>;

const problemOf = (result: HttpResult): Problem => JSON.parse(result.body) as Problem;

/** Runs the events in order and returns each one's result and its one access-decision log line. */
async function decide(ingress: Ingress, events: unknown[]): Promise<Array<{ result: HttpResult; line: Entry }>> {
  const out: Array<{ result: HttpResult; line: Entry }> = [];
  for (const event of events) {
    const { value: result, line } = await withOneLogLine('access decision', () => handleIngressEvent(ingress, event));
    out.push({ result, line });
  }
  return out;
}

/** The metrics the line counts, by the EMF declaration and by the value fields it carries. */
const metricsOf = (line: Entry): string[] => emfMetricsOf(line, METRICS);

function env(dir: string, upstreamUrl: string): Record<string, string> {
  return {
    MESHGATE_UPSTREAMS: JSON.stringify({ demo: upstreamUrl }),
    MESHGATE_ALLOW_LOOPBACK_HTTP: 'true',
    MESHGATE_ASSERTION_ISSUER: ISSUER,
    MESHGATE_KEY_STORE: 'file',
    MESHGATE_KEYS_FILE: join(dir, 'keys.json'),
  };
}

/** A working ingress (file key store) in front of a real echo upstream, for the enclosing describe block. */
function liveIngress(): { readonly upstream: UpstreamServer; readonly ingress: Ingress; readonly dir: string } {
  const live = {} as { upstream: UpstreamServer; ingress: Ingress; dir: string };
  before(async () => {
    live.upstream = await startUpstream();
    live.dir = mkdtempSync(join(tmpdir(), 'meshgate-pipeline-'));
    await new FileKeyStore(join(live.dir, 'keys.json')).createIfMissing();
    live.ingress = buildIngress(() => loadIngressConfig(env(live.dir, live.upstream.url), TEST_ROUTES_JSON));
  });
  after(async () => {
    await live.upstream.close();
    rmSync(live.dir, { recursive: true, force: true });
  });
  beforeEach(() => live.upstream.requests.splice(0));
  return live;
}

describe('ingress pipeline: what each access decision logs and counts', () => {
  const live = liveIngress();

  it('logs a forwarded request at info with identity, upstream and its status, counted as IngressForwarded', async () => {
    const before = Date.now();
    const [allowed] = await decide(live.ingress, [restEvent({ requestId: 'allow-1' })]);
    const { line } = allowed!;
    assert.equal(allowed!.result.statusCode, 200);
    assert.deepEqual(
      [
        line.level,
        line.route,
        line.outcome,
        line.reason,
        line.sub,
        line.iss,
        line.type,
        line.upstream,
        line.upstreamStatus,
        line.apiRequestId,
      ],
      ['INFO', 'GET /whoami', 'allow', 'ok', 'user-123', 'https://idp.example.com/', 'user', 'demo', 200, 'allow-1'],
    );
    assert.equal('error' in line || 'cause' in line, false);
    assert.deepEqual(metricsOf(line), ['IngressForwarded']);
    assert.ok(
      typeof line.durationMs === 'number' && line.durationMs >= 0 && line.durationMs <= Date.now() - before,
      String(line.durationMs),
    );
  });

  it('names each refusal by its outcome, and never carries the previous request id or subject', async () => {
    const anonymous = restEvent({ path: '/nope' });
    delete (anonymous.requestContext as Entry).requestId;
    const [deny, invalid, notFound] = await decide(live.ingress, [
      restEvent({ path: '/admin/reports', requestId: 'deny-1' }, authorizerContext({ groupsJson: '["staff"]' })),
      restEvent({ method: 'POST', path: '/orders', headers: { 'content-type': 'application/json' }, body: '{"sku":"A","quantity":0}' }),
      anonymous,
    ]);
    assert.deepEqual(
      [deny!.line.level, deny!.line.outcome, deny!.line.reason, deny!.line.sub, deny!.line.upstream],
      ['INFO', 'deny', 'route_forbidden', 'user-123', 'demo'],
    );
    assert.equal('upstreamStatus' in deny!.line || 'error' in deny!.line, false);
    assert.deepEqual(metricsOf(deny!.line), ['IngressDeny']);
    assert.deepEqual([invalid!.line.outcome, metricsOf(invalid!.line)], ['invalid', ['IngressInvalid']]);
    const nf = notFound!.line;
    assert.deepEqual(
      [nf.level, nf.route, nf.outcome, nf.reason, metricsOf(nf)],
      ['INFO', 'unknown', 'not_found', 'route_not_found', ['IngressNotFound']],
    );
    for (const key of ['sub', 'iss', 'type', 'upstream', 'apiRequestId', 'error']) assert.equal(key in nf, false, key);
    assert.equal(live.upstream.requests.length, 0);
  });

  it('logs an upstream failure at error with its message and cause, counted as IngressUpstreamError', async () => {
    const port = await closedPort();
    const gone = buildIngress(() => loadIngressConfig(env(live.dir, `http://127.0.0.1:${port}`), TEST_ROUTES_JSON));
    const [failed] = await decide(gone, [restEvent()]);
    const { line } = failed!;
    assert.deepEqual([failed!.result.statusCode, problemOf(failed!.result).code], [502, 'upstream_unavailable']);
    assert.deepEqual(
      [line.level, line.outcome, line.reason, line.sub, line.upstream, line.error, line.cause],
      ['ERROR', 'upstream_error', 'upstream_unavailable', 'user-123', 'demo', 'upstream demo: ECONNREFUSED', 'ECONNREFUSED'],
    );
    assert.equal('upstreamStatus' in line, false);
    assert.deepEqual(metricsOf(line), ['IngressUpstreamError']);
  });
});

describe('ingress pipeline: failures that refuse every request until someone acts', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'meshgate-pipeline-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('logs a bad configuration at build as refusing every request, and counts each refusal as IngressConfigInvalid', async () => {
    const logs = captureLogs();
    let ingress: Ingress;
    try {
      ingress = buildIngress(() => loadIngressConfig({ MESHGATE_ASSERTION_ISSUER: ISSUER }, TEST_ROUTES_JSON));
    } finally {
      logs.stop();
    }
    assert.ok(
      logs.entries().some((e) => e.message === 'configuration invalid: every request is answered 503'),
      logs.lines.join('\n'),
    );
    const [refused] = await decide(ingress, [restEvent()]);
    assert.deepEqual([refused!.result.statusCode, problemOf(refused!.result).code], [503, 'config_invalid']);
    const { line } = refused!;
    assert.deepEqual([line.level, line.outcome, line.reason, typeof line.error], ['ERROR', 'error', 'config_invalid', 'string']);
    assert.deepEqual(metricsOf(line), ['IngressError', 'IngressConfigInvalid']);
  });

  it('answers 503 config_invalid, never 500, when a route names an upstream with no URL', async () => {
    const upstream = await startUpstream();
    try {
      const config = loadIngressConfig(env(dir, upstream.url), TEST_ROUTES_JSON);
      const ingress = buildIngress(() => ({ ...config, upstreamUrls: new Map() }));
      const [refused] = await decide(ingress, [restEvent()]);
      assert.deepEqual([refused!.result.statusCode, problemOf(refused!.result).code], [503, 'config_invalid']);
      assert.match(String(refused!.line.error), /MESHGATE_UPSTREAMS\.demo/);
      assert.deepEqual(metricsOf(refused!.line), ['IngressError', 'IngressConfigInvalid']);
      assert.equal(upstream.requests.length, 0);
    } finally {
      await upstream.close();
    }
  });

  it('answers an unexpected failure inside the pipeline with a 500 internal problem, logged at error as IngressError', async () => {
    const upstream = await startUpstream();
    try {
      const config = loadIngressConfig(env(dir, upstream.url), TEST_ROUTES_JSON);
      // a broken configuration object: the upstream URL is a string where a URL is expected
      const ingress = buildIngress(() => ({ ...config, upstreamUrls: new Map([['demo', 'not a URL' as unknown as URL]]) }));
      const [failed] = await decide(ingress, [restEvent()]);
      assert.deepEqual([failed!.result.statusCode, problemOf(failed!.result).code], [500, 'internal']);
      assert.deepEqual(
        [failed!.line.level, failed!.line.outcome, failed!.line.reason, 'error' in failed!.line],
        ['ERROR', 'error', 'internal', false],
      );
      assert.deepEqual(metricsOf(failed!.line), ['IngressError']);
      assert.equal(upstream.requests.length, 0);
    } finally {
      await upstream.close();
    }
  });

  it('counts a key store failure as IngressKeyStoreUnavailable, logged at error', async () => {
    const config = loadIngressConfig({ ...env(dir, 'http://127.0.0.1:1'), MESHGATE_KEYS_FILE: '/dev/null/keys.json' }, TEST_ROUTES_JSON);
    const [refused] = await decide(
      buildIngress(() => config),
      [restEvent()],
    );
    assert.deepEqual([refused!.result.statusCode, refused!.line.level, refused!.line.outcome], [503, 'ERROR', 'error']);
    assert.deepEqual(metricsOf(refused!.line), ['IngressError', 'IngressKeyStoreUnavailable']);
  });
});

describe('ingress pipeline: log lines written while a request runs', () => {
  it('name the caller: a key store failure during the request carries its subject and request id', async () => {
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand).rejects(
      new SecretsManagerServiceException({
        name: 'InternalServiceError',
        $fault: 'server',
        message: 'down',
        $metadata: { httpStatusCode: 500 },
      }),
    );
    const logs = captureLogs();
    try {
      const config = loadIngressConfig({ ...env('/nonexistent', 'http://127.0.0.1:1') }, TEST_ROUTES_JSON);
      const client = new SecretsManagerClient({ region: 'eu-west-1' });
      const ingress = buildIngress(
        () => config,
        () => new SecretsManagerKeyStore('meshgate/test/keys', { reader: sdkSecretReader(client) }),
      );
      assert.equal((await handleIngressEvent(ingress, restEvent({ requestId: 'sm-req' }))).statusCode, 503);
    } finally {
      logs.stop();
      sm.restore();
    }
    const during = logs.entries().filter((e) => e.message !== 'access decision');
    assert.ok(during.length > 0, 'the key store logged its failure');
    for (const line of during) assert.deepEqual([line.sub, line.apiRequestId], ['user-123', 'sm-req'], String(line.message));
  });
});

describe('ingress pipeline: routing, trace header and the forwarded head', () => {
  const live = liveIngress();

  it('routes by the template API Gateway matched, whatever prefix a custom domain leaves in the path', async () => {
    const [byTemplate] = await decide(live.ingress, [restEvent({ path: '/v1/whoami', resource: '/whoami' })]);
    assert.deepEqual([byTemplate!.result.statusCode, byTemplate!.line.route], [200, 'GET /whoami']);
    assert.equal(live.upstream.requests[0]?.url, '/v1/whoami');
    const defaultRoute = httpApiEvent({ path: '/whoami' });
    defaultRoute.routeKey = '$default';
    (defaultRoute.requestContext as Entry).routeKey = '$default';
    const [byPath] = await decide(live.ingress, [defaultRoute]);
    assert.deepEqual([byPath!.result.statusCode, byPath!.line.route], [200, 'GET /whoami']);
  });

  it("forwards this invocation's X-Ray trace header from _X_AMZN_TRACE_ID", async () => {
    const trace = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    const saved = process.env._X_AMZN_TRACE_ID;
    process.env._X_AMZN_TRACE_ID = trace;
    try {
      assert.equal((await handleIngressEvent(live.ingress, restEvent())).statusCode, 200);
    } finally {
      if (saved === undefined) delete process.env._X_AMZN_TRACE_ID;
      else process.env._X_AMZN_TRACE_ID = saved;
    }
    assert.equal(live.upstream.requests[0]?.headers['x-amzn-trace-id'], trace);
  });

  it('counts the query in the forwarded head: a query that makes it too large is refused with 431, never forwarded', async () => {
    const event = httpApiEvent({
      path: '/echo/q',
      resource: '/echo/{proxy+}',
      rawQueryString: `q=${'a'.repeat(UPSTREAM_MAX_HEADER_BYTES)}`,
    });
    const result = await handleIngressEvent(live.ingress, event);
    assert.deepEqual([result.statusCode, problemOf(result).code], [431, 'headers_too_large']);
    assert.equal(live.upstream.requests.length, 0);
  });

  it('counts the body length in the forwarded head, to the byte', async () => {
    // The head of a POST with a 2-digit body length, padded by one header to exactly one byte over the budget.
    const body = JSON.stringify({ sku: 'ABC-123', quantity: 3 });
    assert.ok(body.length >= 10 && body.length < 100);
    const post = (pad: number): Record<string, unknown> =>
      restEvent({ method: 'POST', path: '/orders', headers: { 'content-type': 'application/json', 'x-pad': 'p'.repeat(pad) }, body });
    assert.equal((await handleIngressEvent(live.ingress, post(1000))).statusCode, 200);
    const seen = live.upstream.requests[0]!;
    const headers: OutgoingHeaders = {};
    for (let i = 0; i < seen.rawHeaders.length; i += 2) {
      const name = seen.rawHeaders[i]!.toLowerCase();
      if (['host', 'connection', 'content-length'].includes(name)) continue;
      headers[name] = seen.rawHeaders[i + 1]!;
    }
    const probe = forwardedHeadBytes({
      method: 'POST',
      target: seen.url,
      host: new URL(live.upstream.url).host,
      headers,
      bodyBytes: body.length,
    });
    const over = await handleIngressEvent(live.ingress, post(1000 + UPSTREAM_MAX_HEADER_BYTES + 1 - probe));
    assert.deepEqual([over.statusCode, problemOf(over).code], [431, 'headers_too_large']);
    assert.equal((await handleIngressEvent(live.ingress, post(1000 + UPSTREAM_MAX_HEADER_BYTES - probe))).statusCode, 200);
  });
});
