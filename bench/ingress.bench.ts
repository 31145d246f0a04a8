// Ingress compute (validate ~1 KB + enrich + sign) beside raw ES256 sign + bare Ajv validate; forward p50 over loopback.
import { sign, createPrivateKey } from 'node:crypto';
import http from 'node:http';
import { readIngressEvent } from '../src/ingress/request';
import { validateRequest } from '../src/ingress/validate';
import { bodyValidator } from '../src/ingress/schemas';
import { assertionClaims } from '../src/ingress/assertion-claims';
import { enrichHeaders } from '../src/ingress/headers';
import { checkForwardBudget } from '../src/ingress/size-budget';
import { verifiedIdentityOf } from '../src/ingress/identity-source';
import { forwardRequest } from '../src/ingress/forward';
import { signAssertion } from '../src/keys/assertion';
import { newKeySet } from '../src/keys/key-set';
import { parseRouteTable } from '../src/routes/route-table';
import { measurePair, ratio, round, type Ratio } from './harness';
import { restEvent } from '../test/support/events';
import { startUpstream } from '../test/support/upstream-server';
import routesJson from '../config/routes.json';

function orderBody(): string {
  // ~1 KB, valid against config/schemas/order-create.json.
  const lines = Array.from({ length: 20 }, (_, i) => ({ sku: `SKU-${1000 + i}`, quantity: i + 1 }));
  return JSON.stringify({ sku: 'SKU-12345', quantity: 3, note: 'leave at the door', shipTo: { country: 'DE', postcode: '10115' }, lines });
}

async function forwardP50(samples: number): Promise<{ meshgate: number; raw: number }> {
  const upstream = await startUpstream();
  const url = new URL(upstream.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const rawOnce = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, path: '/orders/1', method: 'GET', agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
  const timeOne = async (fn: () => Promise<unknown>): Promise<number> => {
    const t = process.hrtime.bigint();
    await fn();
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  const p50 = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const mesh: number[] = [];
  const raw: number[] = [];
  for (let i = 0; i < samples; i++) {
    mesh.push(
      await timeOne(() =>
        forwardRequest({
          baseUrl: url,
          upstreamName: 'demo',
          method: 'GET',
          path: '/orders/1',
          rawQuery: '',
          headers: { 'x-identity-sub': 'u' },
          body: undefined,
          timeoutMs: 3000,
        }),
      ),
    );
    raw.push(await timeOne(rawOnce));
  }
  agent.destroy();
  await upstream.close();
  return { meshgate: p50(mesh), raw: p50(raw) };
}

export async function benchIngress(): Promise<Ratio[]> {
  const table = parseRouteTable(routesJson);
  const route = table.routes.find((r) => r.id === 'POST /orders');
  const validator = bodyValidator('order-create');
  if (!route || !validator) throw new Error('bench needs POST /orders with the order-create schema');
  const keySet = newKeySet();
  const settings = { issuer: 'https://meshgate.example.com', ttlSeconds: 60 };
  const body = orderBody();
  const event = restEvent({
    method: 'POST',
    path: '/orders',
    headers: {
      'content-type': 'application/json',
      'x-identity-sub': 'spoof',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    },
    body,
  });
  const key = createPrivateKey({ key: { ...keySet.current.privateJwk }, format: 'jwk' });
  const now = Math.floor(Date.now() / 1000);
  const identity = verifiedIdentityOf(readIngressEvent(event), route, false);
  const claims = assertionClaims(
    identity,
    { audience: 'demo-service', method: 'POST', upstreamPath: '/orders', canonicalQuery: '', body: Buffer.from(body) },
    settings,
    now,
  );
  const claimBytes = Buffer.from(`eyJhbGciOiJFUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`);

  const rawSignOnce = (): Buffer => sign('sha256', claimBytes, { key, dsaEncoding: 'ieee-p1363' });
  const baselineOnce = (): unknown => {
    rawSignOnce();
    return validator(JSON.parse(body));
  };
  const [signing, rawSign] = await measurePair(
    'signAssertion',
    () => signAssertion(claims, keySet.current),
    'raw crypto.sign ES256',
    rawSignOnce,
  );
  const [compute, baseline] = await measurePair(
    'ingress compute: read event, validate, claims, sign, enrich, size budget',
    () => {
      const request = readIngressEvent(event);
      const validated = validateRequest(request, route);
      const who = verifiedIdentityOf(request, route, false);
      const c = assertionClaims(
        who,
        {
          audience: route.upstream.audience,
          method: request.method,
          upstreamPath: request.forwardPath,
          canonicalQuery: '',
          body: validated.body,
        },
        settings,
        now,
      );
      const assertion = signAssertion(c, keySet.current);
      const headers = enrichHeaders({ untrustedHeaders: request.untrustedHeaders, identity: who, assertion, requestId: request.requestId });
      checkForwardBudget(assertion, {
        method: request.method,
        target: request.forwardPath,
        host: 'orders.internal:8080',
        headers,
        bodyBytes: validated.body?.length ?? 0,
      });
      return validated;
    },
    'raw sign + JSON.parse + bare Ajv validate',
    baselineOnce,
  );
  const forward = await forwardP50(400);
  return [
    ratio('ingress', 'compute per ~1 KB request vs raw sign + bare Ajv', compute, baseline, { maxRatio: 2 }),
    ratio('ingress', 'assertion signing vs raw crypto.sign', signing, rawSign, { maxRatio: 1.3 }),
    {
      section: 'ingress',
      name: 'forward p50 over loopback keep-alive vs raw http.request',
      value: round(forward.meshgate * 1000),
      baseline: round(forward.raw * 1000),
      ratio: round(forward.meshgate / forward.raw),
      unit: 'µs',
      goal: '≤ 1000 µs',
      met: forward.meshgate <= 1,
    },
  ];
}
