// Spans in Lambda: on the request path they go straight to the X-Ray daemon without loading the X-Ray SDK; nothing is
// traced during init or outside a sampled trace. Runs in its own process (node --test), with the Lambda variables set
// before src/observability.ts loads, and a UDP socket standing in for the daemon.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { captureLogs } from '../support/logs';
import { daemonAddress, parseTraceHeader } from '../../src/xray';

const TRACE_ID = '1-5759e988-bd862e3fe1be46a994272793';
const HEADER = `Root=${TRACE_ID};Parent=53995c3f42cd8ad8;Sampled=1`;
const xraySdkLoaded = (): boolean => Object.keys(require.cache).some((path) => path.includes('aws-xray-sdk-core'));

describe('Spans in Lambda (src/observability.ts traced, src/xray.ts)', () => {
  let daemon: Socket;
  const segments: Record<string, unknown>[] = [];
  let observability: typeof import('../../src/observability');

  async function received(count: number): Promise<Record<string, unknown>[]> {
    // Loopback UDP arrives in microseconds; the 5 s deadline only guards a busy CI machine.
    const deadline = Date.now() + 5000;
    while (segments.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    return segments;
  }

  before(async () => {
    daemon = createSocket('udp4');
    daemon.on('message', (msg) => {
      const [header, body] = msg.toString('utf8').split('\n');
      assert.deepEqual(JSON.parse(header!), { format: 'json', version: 1 });
      segments.push(JSON.parse(body!) as Record<string, unknown>);
    });
    await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
    Object.assign(process.env, {
      AWS_LAMBDA_FUNCTION_NAME: 'meshgate-test',
      AWS_XRAY_DAEMON_ADDRESS: `udp:127.0.0.1:${daemon.address().port} tcp:127.0.0.1:${daemon.address().port}`,
    });
    delete process.env._X_AMZN_TRACE_ID;
    observability = await import('../../src/observability');
  });
  after(() => daemon.close());
  beforeEach(() => {
    segments.splice(0);
  });

  it('sends nothing for a span opened at init (Lambda sets no trace header then)', async () => {
    assert.equal(await observability.traced('### at init', async () => 'done'), 'done');
    process.env._X_AMZN_TRACE_ID = `Root=${TRACE_ID};Parent=53995c3f42cd8ad8;Sampled=0`;
    assert.equal(await observability.traced('### unsampled', async () => 'done'), 'done');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(segments, []);
  });

  it('sends each span as a subsegment of the invocation, nested by async context, with the fault of a failed one', async () => {
    process.env._X_AMZN_TRACE_ID = HEADER;
    const result = await observability.traced('### outer', () => observability.traced('### inner', async () => 'traced'));
    assert.equal(result, 'traced');
    await assert.rejects(
      observability.traced('### failing', () => Promise.reject(new Error('upstream down'))),
      /upstream down/,
    );

    const sent = await received(3);
    const [inner, outer, failing] = ['### inner', '### outer', '### failing'].map((name) => sent.find((s) => s.name === name));
    assert.equal(outer?.name, '### outer');
    assert.equal(outer?.type, 'subsegment');
    assert.equal(outer?.trace_id, TRACE_ID);
    assert.equal(outer?.parent_id, '53995c3f42cd8ad8');
    assert.match(String(outer?.id), /^[0-9a-f]{16}$/);
    assert.ok((outer?.end_time as number) >= (outer?.start_time as number));
    assert.equal(inner?.name, '### inner');
    assert.equal(inner?.parent_id, outer?.id);
    assert.equal(outer?.fault, undefined);
    assert.equal(failing?.fault, true);
    assert.deepEqual(
      (failing?.cause as { exceptions: { type: string; message: string }[] }).exceptions.map((e) => [e.type, e.message]),
      [['Error', 'upstream down']],
    );
    assert.equal(xraySdkLoaded(), false, 'the request path never loads the X-Ray SDK');
  });

  it('counts a metric as one EMF line of its own', () => {
    const logs = captureLogs();
    observability.countMetric('JwksKeySetUnavailable');
    logs.stop();
    const [line] = logs.entries();
    assert.deepEqual(line?._aws, {
      Timestamp: (line?._aws as { Timestamp: number }).Timestamp,
      CloudWatchMetrics: [
        { Namespace: 'meshgate', Dimensions: [['service']], Metrics: [{ Name: 'JwksKeySetUnavailable', Unit: 'Count' }] },
      ],
    });
    assert.equal(line?.service, 'meshgate');
    assert.equal(line?.JwksKeySetUnavailable, 1);
  });
});

describe('Function: parseTraceHeader, daemonAddress', () => {
  it('reads Root, Parent and Sampled, and refuses a header without Root or Parent', () => {
    assert.deepEqual(parseTraceHeader(`${HEADER};Lineage=a87bd80c:0`), { traceId: TRACE_ID, parentId: '53995c3f42cd8ad8', sampled: true });
    assert.equal(parseTraceHeader(`Root=${TRACE_ID};Sampled=1`), undefined);
    assert.equal(parseTraceHeader(undefined), undefined);
  });

  it('reads host:port or the udp: part of a two-protocol address, else 127.0.0.1:2000', () => {
    assert.deepEqual(daemonAddress('169.254.79.129:2000'), { host: '169.254.79.129', port: 2000 });
    assert.deepEqual(daemonAddress('tcp:10.0.0.1:3000 udp:10.0.0.2:2001'), { host: '10.0.0.2', port: 2001 });
    assert.deepEqual(daemonAddress(undefined), { host: '127.0.0.1', port: 2000 });
  });
});
