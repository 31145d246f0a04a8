// One definition of "overdue" and "stuck": the scheduled rotation check and the audit judge the same account alike.
import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GetResourcePolicyCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { runAudit } from '../../src/audit/engine';
import { readLiveSecrets } from '../../src/audit/live/secrets';
import { runScheduledJob } from '../../src/rotation/schedule';
import { DEFAULT_ROTATION_GRACE_DAYS, DEFAULT_ROTATION_THRESHOLDS, HOUR_MS, isStuckPending } from '../../src/rotation/schedule-policy';
import { loadScheduledConfig } from '../../functions/scheduled/config';
import { FakeSecretsManager } from './fake-secrets-manager';

const NOW = new Date('2026-10-01T12:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * HOUR_MS);
const MANAGED = { 'meshgate:managed': 'true', 'meshgate:strategy': 'random-token' };
const smMock = mockClient(SecretsManagerClient);
const client = new SecretsManagerClient({ region: 'eu-west-1' });
let fake: FakeSecretsManager;

beforeEach(() => {
  smMock.reset();
  fake = new FakeSecretsManager();
  fake.now = () => NOW;
  fake.attach(smMock);
  smMock.on(GetResourcePolicyCommand).resolves({});
});

/** Secrets on either side of each threshold: a 30-day schedule rotated 30 days + h ago, a pending version h old. */
function seed() {
  const current = { v1: { value: '{"token":"x"}', stages: ['AWSCURRENT'], createdDate: hoursAgo(24 * 400) } };
  const rotatedAgo = (h: number) => ({
    tags: MANAGED,
    rotationRules: { AutomaticallyAfterDays: 30 },
    lastRotatedDate: hoursAgo(30 * 24 + h),
  });
  const pendingFor = (h: number) => ({
    tags: MANAGED,
    rotationRules: { AutomaticallyAfterDays: 30 },
    lastRotatedDate: hoursAgo(24),
    versions: { ...current, v2: { stages: ['AWSPENDING'], createdDate: hoursAgo(h) } },
  });
  return {
    'late-23h': fake.addSecret({ name: 'late-23h', ...rotatedAgo(23), versions: current }).arn,
    'late-25h': fake.addSecret({ name: 'late-25h', ...rotatedAgo(25), versions: current }).arn,
    'pending-1h': fake.addSecret({ name: 'pending-1h', ...pendingFor(1) }).arn,
    'pending-3h': fake.addSecret({ name: 'pending-3h', ...pendingFor(3) }).arn,
  };
}

function judged(findings: readonly { kind: string; resource: string }[], arns: Record<string, string>) {
  const names = Object.fromEntries(Object.entries(arns).map(([name, arn]) => [arn, name]));
  return findings
    .filter((f) => f.kind === 'secret-rotation-overdue' || f.kind === 'secret-rotation-stuck')
    .map((f) => `${f.kind} ${names[f.resource]}`)
    .sort();
}

describe('One definition of overdue and stuck (src/rotation/schedule-policy.ts)', () => {
  const expected = ['secret-rotation-overdue late-25h', 'secret-rotation-stuck pending-3h'];

  it('defaults: 24 h of grace, stuck after 2 h, the same in the scheduled job, the audit CLI and the engine', () => {
    assert.equal(DEFAULT_ROTATION_THRESHOLDS.graceMs, 24 * HOUR_MS);
    assert.equal(DEFAULT_ROTATION_THRESHOLDS.stuckAfterMs, 2 * HOUR_MS);
    assert.equal(DEFAULT_ROTATION_GRACE_DAYS, 1);
    const { policy } = loadScheduledConfig({});
    assert.equal(policy.graceMs, DEFAULT_ROTATION_THRESHOLDS.graceMs);
    assert.equal(policy.stuckAfterMs, DEFAULT_ROTATION_THRESHOLDS.stuckAfterMs);
    assert.equal(isStuckPending(Number.POSITIVE_INFINITY, policy), true, 'an unknown age counts as stuck');
  });

  it('the scheduled rotation check: overdue 25 h late (not 23 h), stuck at 3 h (not 1 h)', async () => {
    const arns = seed();
    const report = await runScheduledJob({ client, policy: { ...loadScheduledConfig({}).policy, startRotation: false }, now: () => NOW });
    assert.deepEqual(judged(report.findings, arns), expected);
  });

  it('the live audit, with its default grace: the same secrets', async () => {
    const arns = seed();
    const { findings } = await runAudit(await readLiveSecrets(client, NOW), { now: NOW });
    assert.deepEqual(judged(findings, arns), expected);
  });
});
