// Every header name the shipped sidecar configurations trust (docs/envoy, docs/istio) is one a client cannot send
// through the ingress: the test reads the names from the YAML, so a new trusted header fails it until it is reserved.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { handleIngressEvent } from '../../src/ingress/pipeline';
import { authorizerContext, httpApiEvent, restEvent } from '../support/events';
import { rawValues, startIngressHarness, type IngressHarness } from './ingress-harness';

const CONFIGS = ['docs/envoy/envoy.yaml', ...readdirSync('docs/istio').map((f) => join('docs/istio', f))].filter((f) =>
  f.endsWith('.yaml'),
);

// Envoy's HCM reads the peer certificate header whether or not a config names it (forward_client_cert_details).
const ENVOY_IMPLICIT = ['x-forwarded-client-cert'];

/** Header names a config trusts: JWT sources, claim and payload outputs, and XFCC wherever Envoy runs. */
function trustedHeaderNames(node: unknown, out: Set<string>, parentKey = ''): Set<string> {
  if (Array.isArray(node)) for (const item of node) trustedHeaderNames(item, out, parentKey);
  else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (typeof value === 'string') {
        const fromList = (parentKey === 'from_headers' || parentKey === 'fromHeaders') && key === 'name';
        const output = ['header_name', 'header', 'forward_payload_header', 'outputPayloadToHeader'].includes(key);
        if (fromList || output) out.add(value.toLowerCase());
        if (key === '@type' && value.includes('envoy')) for (const name of ENVOY_IMPLICIT) out.add(name);
      } else trustedHeaderNames(value, out, key);
    }
  }
  return out;
}

describe('Sidecar configurations: no header they trust passes the ingress from a client', () => {
  let h: IngressHarness;
  before(async () => {
    h = await startIngressHarness();
  });
  after(() => h.close());

  const names = new Set<string>();
  for (const file of CONFIGS)
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) trustedHeaderNames(doc.toJS() as unknown, names);

  it('reads the trusted names from the shipped YAML (JWT source, claim headers, XFCC)', () => {
    for (const expected of ['x-identity-assertion', 'x-verified-sub', 'x-verified-type', 'x-verified-scope', 'x-forwarded-client-cert'])
      assert.ok(names.has(expected), `${expected} not found in ${CONFIGS.join(', ')}`);
  });

  for (const format of ['rest', 'http-v2'] as const) {
    it(`never forwards a client's value for any of them, in any spelling (${format})`, async () => {
      const forged = 'forged-by-client';
      const headers: Record<string, string> = {};
      for (const name of names) {
        headers[name] = forged;
        headers[name.toUpperCase().replaceAll('-', '_')] = forged;
      }
      const input = { path: '/whoami', headers };
      const event = format === 'rest' ? restEvent(input) : httpApiEvent(input, { lambda: authorizerContext() });
      const before = h.upstream.requests.length;
      const result = await handleIngressEvent(h.ingress, event);
      assert.equal(result.statusCode, 200, result.body);
      const seen = h.upstream.requests[before]!;
      for (const name of names)
        for (const spelling of [name, name.replaceAll('-', '_')])
          assert.ok(!rawValues(seen, spelling).includes(forged), `${spelling} reached the service with the client's value`);
    });
  }
});
