// The scheduled job: starts rotation only for overdue managed secrets, reports disabled/overdue/stuck, pages ListSecrets.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { publishSecretsReport, runScheduledJob } from '../../src/rotation/schedule';
import { dueDate, rotationIntervalMs, type SchedulePolicy } from '../../src/rotation/schedule-policy';
import { loadScheduledConfig } from '../../functions/scheduled/config';
import { ConfigError } from '../../src/errors';
import { captureLogs, type LogCapture } from '../support/logs';
import { FakeSecretsManager } from './fake-secrets-manager';

const DAY = 86_400_000;
const NOW = new Date('2026-10-01T12:00:00Z');
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);
const MANAGED = { 'meshgate:managed': 'true', 'meshgate:strategy': 'random-token' };
const policy: SchedulePolicy = loadScheduledConfig({}).policy;
const smMock = mockClient(SecretsManagerClient);
const client = new SecretsManagerClient({ region: 'eu-west-1' });

let fake: FakeSecretsManager;
let logs: LogCapture | undefined;
beforeEach(() => {
  smMock.reset();
  fake = new FakeSecretsManager();
  fake.now = () => NOW;
  fake.attach(smMock);
});
afterEach(() => logs?.stop());

function seedAccount() {
  const current = { v1: { value: '{"token":"x"}', stages: ['AWSCURRENT'], createdDate: ago(400) } };
  return {
    fresh: fake.addSecret({
      name: 'fresh',
      tags: MANAGED,
      lastRotatedDate: ago(1),
      rotationRules: { AutomaticallyAfterDays: 30 },
      versions: current,
    }),
    overdue: fake.addSecret({
      name: 'overdue',
      tags: MANAGED,
      lastRotatedDate: ago(40),
      rotationRules: { ScheduleExpression: 'rate(30 days)' },
      versions: current,
    }),
    withinGrace: fake.addSecret({
      name: 'within-grace',
      tags: MANAGED,
      lastRotatedDate: ago(30.5),
      rotationRules: { AutomaticallyAfterDays: 30 },
      versions: current,
    }),
    disabled: fake.addSecret({ name: 'disabled', tags: MANAGED, rotationEnabled: false, lastRotatedDate: ago(400), versions: current }),
    stuck: fake.addSecret({
      name: 'stuck',
      tags: MANAGED,
      lastRotatedDate: ago(45),
      versions: { ...current, v2: { stages: ['AWSPENDING'], createdDate: ago(3) } },
    }),
    inProgress: fake.addSecret({
      name: 'in-progress',
      tags: MANAGED,
      lastRotatedDate: ago(31.5),
      versions: { ...current, v2: { stages: ['AWSPENDING'], createdDate: new Date(NOW.getTime() - 10 * 60_000) } },
    }),
    prefixOnly: fake.addSecret({
      name: 'prefix-only',
      tags: { 'meshgate:managed-legacy': 'true' },
      lastRotatedDate: ago(400),
      versions: current,
    }),
    unpaired: fake.addSecret({
      name: 'unpaired',
      tags: { 'meshgate:managed': 'false', 'team:on-call': 'true' },
      lastRotatedDate: ago(400),
      versions: current,
    }),
  };
}

const kindsFor = (report: Awaited<ReturnType<typeof runScheduledJob>>, arn: string) =>
  report.findings
    .filter((f) => f.resource === arn)
    .map((f) => f.kind)
    .sort();

describe('Function: runScheduledJob', () => {
  it('starts rotation only for the overdue secret and reports the others', async () => {
    const s = seedAccount();

    const report = await runScheduledJob({ client, policy, now: () => NOW });

    const rotateCalls = fake.calls.filter((c) => c.command === 'RotateSecretCommand');
    assert.deepEqual(
      rotateCalls.map((c) => c.input),
      [{ SecretId: s.overdue.arn, RotateImmediately: true }],
    );
    assert.deepEqual(
      report.rotationsStarted.map((r) => r.resource),
      [s.overdue.arn],
    );
    assert.equal(fake.versionWith(s.overdue.arn, 'AWSPENDING'), report.rotationsStarted[0]?.versionId);

    assert.equal(report.checked, 6, 'prefix-only and unpaired tags are not managed');
    assert.deepEqual(kindsFor(report, s.fresh.arn), []);
    assert.deepEqual(kindsFor(report, s.withinGrace.arn), []);
    assert.deepEqual(kindsFor(report, s.overdue.arn), ['secret-rotation-overdue']);
    assert.deepEqual(kindsFor(report, s.disabled.arn), ['secret-rotation-disabled']);
    assert.deepEqual(kindsFor(report, s.stuck.arn), ['secret-rotation-overdue', 'secret-rotation-stuck']);
    assert.deepEqual(kindsFor(report, s.inProgress.arn), ['secret-rotation-overdue']);
    assert.deepEqual(kindsFor(report, s.prefixOnly.arn), []);
    assert.deepEqual(report.errors, []);

    const stuck = report.findings.find((f) => f.kind === 'secret-rotation-stuck');
    assert.equal(stuck?.severity, 'high');
    assert.deepEqual(stuck?.details, { pendingVersionId: 'v2', pendingAgeHours: 72 });
    assert.equal(report.findings.find((f) => f.resource === s.inProgress.arn)?.details.rotationStarted, false);
  });

  it('pages through ListSecrets with the managed-tag filters', async () => {
    seedAccount();

    await runScheduledJob({ client, policy, now: () => NOW });

    const lists = fake.calls.filter((c) => c.command === 'ListSecretsCommand');
    assert.equal(lists.length, 4, '8 matching secrets at 2 per page');
    assert.deepEqual(lists[0]?.input.Filters, [
      { Key: 'tag-key', Values: ['meshgate:managed'] },
      { Key: 'tag-value', Values: ['true'] },
    ]);
    assert.deepEqual(
      lists.map((c) => c.input.NextToken),
      [undefined, 'page-2', 'page-4', 'page-6'],
    );
  });

  it('reports only, without RotateSecret, when startRotation is off', async () => {
    const s = seedAccount();
    const report = await runScheduledJob({ client, policy: { ...policy, startRotation: false }, now: () => NOW });
    assert.equal(fake.calls.filter((c) => c.command === 'RotateSecretCommand').length, 0);
    assert.deepEqual(kindsFor(report, s.overdue.arn), ['secret-rotation-overdue']);
  });

  it('keeps checking the other secrets when one RotateSecret fails, and reports the failure', async () => {
    const a = fake.addSecret({ name: 'a', tags: MANAGED, lastRotatedDate: ago(90) });
    const b = fake.addSecret({ name: 'b', tags: MANAGED, lastRotatedDate: ago(90) });
    fake.throttle('RotateSecretCommand', 1);

    const report = await runScheduledJob({ client, policy, now: () => NOW });

    assert.deepEqual(
      report.errors.map((e) => e.resource),
      [a.arn],
    );
    assert.match(report.errors[0]!.message, /ThrottlingException/);
    assert.deepEqual(
      report.rotationsStarted.map((r) => r.resource),
      [b.arn],
    );
  });

  it('does not rotate a secret twice when the job runs again while the rotation is in progress', async () => {
    const s = fake.addSecret({
      name: 'overdue',
      tags: MANAGED,
      lastRotatedDate: ago(60),
      versions: { v1: { value: 'x', stages: ['AWSCURRENT'] } },
    });
    await runScheduledJob({ client, policy, now: () => NOW });

    const second = await runScheduledJob({ client, policy, now: () => NOW });

    assert.equal(fake.calls.filter((c) => c.command === 'RotateSecretCommand').length, 1);
    assert.deepEqual(second.rotationsStarted, []);
    assert.deepEqual(kindsFor(second, s.arn), ['secret-rotation-overdue']);
  });
});

describe('Function: publishSecretsReport', () => {
  it('writes one summary line and EMF metrics with the counts', async () => {
    seedAccount();
    const report = await runScheduledJob({ client, policy, now: () => NOW });
    logs = captureLogs();

    publishSecretsReport(report);
    logs.stop();

    const summary = logs.entries().find((e) => e.message === 'secrets rotation check');
    assert.equal(summary?.SecretsChecked, 6);
    assert.equal(summary?.RotationsStarted, 1);
    assert.equal(summary?.Overdue, 3);
    assert.equal(summary?.Disabled, 1);
    assert.equal(summary?.Stuck, 1);
    const emf = logs.entries().find((e) => e._aws !== undefined) as {
      _aws: { CloudWatchMetrics: { Metrics: { Name: string }[] }[] };
    } & Record<string, unknown>;
    assert.deepEqual(emf._aws.CloudWatchMetrics[0]?.Metrics.map((m) => m.Name).sort(), [
      'Disabled',
      'Errors',
      'Overdue',
      'RotationsStarted',
      'SecretsChecked',
      'Stuck',
    ]);
    assert.equal(emf.RotationsStarted, 1);
  });
});

describe('Function: rotationIntervalMs / dueDate', () => {
  it('reads rate() in days and hours, AutomaticallyAfterDays, and gives up on cron', () => {
    assert.equal(rotationIntervalMs({ ScheduleExpression: 'rate(30 days)' }), 30 * DAY);
    assert.equal(rotationIntervalMs({ ScheduleExpression: 'rate(4 hours)' }), 4 * 3_600_000);
    assert.equal(rotationIntervalMs({ ScheduleExpression: 'rate(10 days)', AutomaticallyAfterDays: 90 }), 10 * DAY);
    assert.equal(rotationIntervalMs({ AutomaticallyAfterDays: 7 }), 7 * DAY);
    assert.equal(rotationIntervalMs({ ScheduleExpression: 'cron(0 16 1,15 * ? *)' }), undefined);
    assert.equal(rotationIntervalMs(undefined), undefined);
  });

  it('falls back to NextRotationDate for cron schedules, then to the maximum age', () => {
    const cron = { ScheduleExpression: 'cron(0 8 1 * ? *)' };
    const next = ago(2);
    assert.deepEqual(dueDate({ rules: cron, lastRotated: ago(40), created: undefined, nextRotation: next }, policy), next);
    assert.deepEqual(
      dueDate({ rules: cron, lastRotated: ago(40), created: undefined, nextRotation: undefined }, policy),
      new Date(ago(40).getTime() + 90 * DAY),
    );
    assert.deepEqual(
      dueDate({ rules: { AutomaticallyAfterDays: 30 }, lastRotated: undefined, created: ago(10), nextRotation: undefined }, policy),
      ago(-20),
    );
  });

  it('reads the policy from the environment and names a bad variable', () => {
    assert.equal(loadScheduledConfig({ MESHGATE_ROTATION_GRACE_HOURS: '6' }).policy.graceMs, 6 * 3_600_000);
    assert.throws(
      () => loadScheduledConfig({ MESHGATE_ROTATION_STUCK_AFTER_HOURS: 'soon' }),
      (err: ConfigError) => err.path === 'MESHGATE_ROTATION_STUCK_AFTER_HOURS',
    );
  });
});
