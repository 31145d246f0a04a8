// The live audit's secret reads at scale (aws-sdk-client-mock on the real SDK client): bounded concurrency, the two
// calls per secret in parallel, order kept, progress every 100 secrets.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { DescribeSecretCommand, GetResourcePolicyCommand, ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { mapBounded, type LiveProgress } from '../../src/audit/live/aws-calls';
import { readLiveSecrets, SECRET_CONCURRENCY } from '../../src/audit/live/secrets';

const client = new SecretsManagerClient({ region: 'eu-west-1' });
const sm = mockClient(client);
const NOW = new Date('2026-10-01T00:00:00Z');
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

beforeEach(() => sm.reset());

/** Mocks `count` secrets; every call waits a few event-loop turns so calls overlap. Returns the peak in flight. */
function mockSecrets(count: number): { peak: () => number; inFlightPerSecret: Map<string, number> } {
  let inFlight = 0;
  let peak = 0;
  const perSecret = new Map<string, number>();
  const slow = async <T>(id: string, value: T): Promise<T> => {
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    perSecret.set(id, Math.max(perSecret.get(id) ?? 0, (perSecret.get(`${id}:now`) ?? 0) + 1));
    perSecret.set(`${id}:now`, (perSecret.get(`${id}:now`) ?? 0) + 1);
    for (let i = 0; i < 3; i++) await tick();
    perSecret.set(`${id}:now`, (perSecret.get(`${id}:now`) ?? 0) - 1);
    inFlight -= 1;
    return value;
  };
  const arns = Array.from({ length: count }, (_, i) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:s${i}-AbCdEf`);
  sm.on(ListSecretsCommand).callsFake((input: { NextToken?: string }) => {
    const start = input.NextToken ? Number(input.NextToken) : 0;
    const page = arns.slice(start, start + 100);
    return Promise.resolve({ SecretList: page.map((ARN) => ({ ARN })), NextToken: start + 100 < count ? String(start + 100) : undefined });
  });
  sm.on(DescribeSecretCommand).callsFake((input: { SecretId: string }) =>
    slow(input.SecretId, { ARN: input.SecretId, Name: input.SecretId.split(':').pop(), RotationEnabled: false }),
  );
  sm.on(GetResourcePolicyCommand).callsFake((input: { SecretId: string }) => slow(input.SecretId, {}));
  return { peak: () => peak, inFlightPerSecret: perSecret };
}

describe('Function: readLiveSecrets at scale', () => {
  it(`reads 250 secrets with at most ${SECRET_CONCURRENCY} secrets (two calls each) in flight, in list order`, async () => {
    const m = mockSecrets(250);
    const input = await readLiveSecrets(client, NOW);
    assert.equal(input.secrets.length, 250);
    assert.deepEqual(
      input.secrets.slice(0, 3).map((s) => s.name),
      ['s0-AbCdEf', 's1-AbCdEf', 's2-AbCdEf'],
    );
    assert.equal(m.peak(), 2 * SECRET_CONCURRENCY, 'the bound is reached and never passed');
    const perSecret = [...m.inFlightPerSecret.entries()].filter(([k]) => !k.endsWith(':now')).map(([, v]) => v);
    assert.ok(
      perSecret.every((v) => v === 2),
      'DescribeSecret and GetResourcePolicy of one secret run together',
    );
  });

  it('honours secretConcurrency and reports progress every 100 secrets, and at the end', async () => {
    const m = mockSecrets(250);
    const progress: LiveProgress[] = [];
    await readLiveSecrets(client, NOW, { secretConcurrency: 3, onProgress: (p) => progress.push(p) });
    assert.equal(m.peak(), 6);
    assert.deepEqual(
      progress.map((p) => `${p.done}/${p.total}`),
      ['100/250', '200/250', '250/250'],
    );
  });

  it('reports no progress for fewer than 100 secrets', async () => {
    mockSecrets(99);
    const progress: LiveProgress[] = [];
    await readLiveSecrets(client, NOW, { onProgress: (p) => progress.push(p) });
    assert.deepEqual(progress, []);
  });
});

describe('Function: mapBounded', () => {
  it('keeps order, rejects on the first failure, refuses a bad limit', async () => {
    assert.deepEqual(
      await mapBounded([3, 1, 2], 2, async (n) => {
        await tick();
        return n * 10;
      }),
      [30, 10, 20],
    );
    assert.deepEqual(await mapBounded([], 4, async () => 1), []);
    await assert.rejects(
      mapBounded([1, 2, 3], 2, async (n) => {
        if (n === 2) throw new Error('boom');
        return n;
      }),
      /boom/,
    );
    await assert.rejects(
      mapBounded([1], 0, async (n) => n),
      /limit must be a positive integer/,
    );
  });
});
