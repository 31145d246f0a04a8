// In Lambda, every upstream call is its own X-Ray subsegment, named after the upstream so a trace shows which service
// was slow or failed. Runs in its own process (node --test), with the Lambda variables set before src/observability.ts
// loads.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { upstreamRequest } from '../support/upstream-request';
import { startUpstream, type UpstreamServer } from '../support/upstream-server';
import { startXrayDaemon, type XrayDaemon } from '../support/xray-daemon';

describe('forwardRequest spans', () => {
  let daemon: XrayDaemon;
  let upstream: UpstreamServer;

  before(async () => {
    daemon = await startXrayDaemon();
    upstream = await startUpstream();
  });
  after(async () => {
    daemon.close();
    await upstream.close();
  });

  it('traces an upstream call as "### upstream <name>"', async () => {
    const { forwardRequest } = await import('../../src/ingress/forward');
    const res = await forwardRequest(upstreamRequest(upstream.url, { upstreamName: 'orders' }));
    assert.equal(res.status, 200);
    await daemon.received(1);
    assert.deepEqual(daemon.names, ['### upstream orders']);
  });
});
