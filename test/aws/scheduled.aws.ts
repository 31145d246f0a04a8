// Against moto over HTTP, the two scheduled functions on one account: the rotation check (functions/scheduled) checks
// managed secrets, and with a clock past the due dates starts the overdue rotation and reports the stuck one; the live
// audit (functions/audit) reports every other secret's rotation state. Each runs from source and as packaged.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CreateSecretCommand, RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Handler, ScheduledEvent } from 'aws-lambda';
import { bundleFunction, type FunctionBundle } from '../../scripts/bundles';
import { createRotationClient } from '../../src/rotation/retry';
import { runScheduledJob, type SecretsReport } from '../../src/rotation/schedule';
import type { AuditSummary } from '../../src/audit';
import { loadScheduledConfig } from '../../functions/scheduled/config';
import { quietly, startMoto, useMotoInThisProcess, type Moto } from './support/moto';
import { startRotation } from './support/rotation-driver';

let moto: Moto;
let client: SecretsManagerClient;
let bundleDir: string;
const arns: Record<string, string> = {};

/** The function bundled as `serverless package` bundles it, loaded in this process (pointed at moto). */
async function packaged<R>(name: string): Promise<{ bundle: FunctionBundle; handler: Handler<ScheduledEvent, R> }> {
  const bundle = await bundleFunction(name, bundleDir);
  return { bundle, handler: (require(resolve(bundle.file)) as { handler: Handler<ScheduledEvent, R> }).handler };
}

const invoke = <R>(handler: Handler<ScheduledEvent, R>) =>
  quietly(async () => (await handler({} as ScheduledEvent, undefined!, () => undefined)) as R);

/**
 * Turns rotation on the way moto allows without a Lambda: RotateSecret with rules and RotateImmediately=false. (moto
 * deviation: with no rotation function moto copies the value into a new AWSCURRENT version itself; AWS would require a
 * function and run its testSecret step.)
 */
async function enableRotation(secretId: string): Promise<void> {
  await client.send(
    new RotateSecretCommand({ SecretId: secretId, RotationRules: { AutomaticallyAfterDays: 30 }, RotateImmediately: false }),
  );
}

async function secret(name: string, tags: Record<string, string>): Promise<string> {
  const out = await client.send(
    new CreateSecretCommand({
      Name: name,
      SecretString: JSON.stringify({ token: Buffer.alloc(32, name.length).toString('base64url') }),
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  arns[name] = out.ARN!;
  return out.ARN!;
}

const MANAGED = { 'meshgate:managed': 'true', 'meshgate:strategy': 'random-token' };

before(
  async () => {
    moto = await startMoto();
    useMotoInThisProcess(moto);
    Object.assign(process.env, { POWERTOOLS_DEV: 'false', MESHGATE_ROTATION_GRACE_HOURS: '24', MESHGATE_ROTATION_STUCK_AFTER_HOURS: '2' });
    client = new SecretsManagerClient(moto.clientConfig);
    await secret('managed-rotating', MANAGED);
    await enableRotation('managed-rotating');
    await secret('managed-disabled', MANAGED);
    await secret('managed-pending', MANAGED);
    await enableRotation('managed-pending');
    await startRotation(client, 'managed-pending'); // an AWSPENDING version with no value: in progress now, stuck later
    await secret('not-managed', { team: 'payments' });
    await secret('managed-false', { 'meshgate:managed': 'false' });
    await secret('public-jwks', { 'meshgate:public': 'true' });
    await mkdir('.bench', { recursive: true });
    bundleDir = await mkdtemp(join('.bench', 'scheduled-aws-'));
  },
  { timeout: 90_000 },
);

after(async () => {
  await moto?.stop();
  if (bundleDir) await rm(bundleDir, { recursive: true, force: true });
});

const metric = (logs: Record<string, unknown>[], name: string) => logs.filter((l) => l._aws !== undefined).find((l) => name in l)?.[name];

/** The rotation check's answer on the seeded account today: three managed secrets, one with rotation disabled. */
function assertTodaysSecretsReport(report: SecretsReport, logs: Record<string, unknown>[]): void {
  assert.equal(report.checked, 3, 'meshgate:managed=true exactly; managed=false and untagged secrets are not checked');
  assert.deepEqual(
    report.findings.map((f) => [f.kind, f.resource]),
    [['secret-rotation-disabled', arns['managed-disabled']]],
  );
  assert.deepEqual(report.rotationsStarted, [], 'nothing is due yet (every version moto holds is minutes old)');
  assert.deepEqual(report.errors, []);
  assert.equal(metric(logs, 'SecretsChecked'), 3);
  assert.equal(metric(logs, 'Disabled'), 1);
  assert.equal(metric(logs, 'Stuck'), 0);
  assert.equal(logs.filter((l) => l.message === 'audit finding').length, 0, 'the audit is the audit function');
}

/** The audit's answer on the same account: rotation off on the two unmanaged secrets that are not public. */
function assertTodaysAudit(summary: AuditSummary, logs: Record<string, unknown>[]): void {
  assert.deepEqual(summary.byKind, { 'secret-rotation-disabled': 2 });
  assert.equal(summary.total, 2);
  assert.equal(metric(logs, 'AuditFindingsMedium'), 2);
  assert.equal(metric(logs, 'AuditFindingsHigh'), 0);
  // managed-disabled is the rotation check's finding: the audit does not report it a second time.
  const resources = logs
    .filter((l) => l.message === 'audit finding')
    .map((l) => (l.auditFinding as { resource: string }).resource)
    .sort();
  assert.deepEqual(resources, [arns['managed-false'], arns['not-managed']].sort());
  assert.equal(logs.filter((l) => l.message === 'secret finding').length, 0);
}

describe('Scheduled rotation check over HTTP (moto)', () => {
  it('the handler checks the three managed secrets and reports the disabled one', async () => {
    const { handler } = require('../../functions/scheduled/handler') as typeof import('../../functions/scheduled/handler');
    const { result, logs } = await quietly(() => handler({} as ScheduledEvent));
    assertTodaysSecretsReport(result, logs);
  });

  it('as packaged: the same, with the Secrets Manager client and credential chain it bundles', async () => {
    const { bundle, handler } = await packaged<SecretsReport>('scheduled');
    assert.deepEqual(bundle.externals, [], 'the Lambda runtime provides no package this bundle needs');
    const { result, logs } = await invoke(handler);
    assertTodaysSecretsReport(result, logs);
  });
});

describe('Live audit function over HTTP (moto)', () => {
  it('the handler audits every secret but the managed ones, whose rotation the rotation check reports', async () => {
    const { handler } = require('../../functions/audit/handler') as typeof import('../../functions/audit/handler');
    const { result, logs } = await quietly(() => handler({} as ScheduledEvent));
    assertTodaysAudit(result, logs);
  });

  it("as packaged: the same, on the Lambda runtime's SDK clients and the IAM catalogue beside it", async () => {
    const { bundle, handler } = await packaged<AuditSummary>('audit');
    assert.ok(bundle.externals.includes('@aws-sdk/client-iam'), "the audit requires the runtime's SDK");
    const { result, logs } = await invoke(handler);
    assertTodaysAudit(result, logs);
  });
});

describe('Scheduled rotation check over HTTP (moto), later', () => {
  it('60 days later: starts the overdue rotation, reports the stuck one without starting it, keeps the disabled finding', async () => {
    // moto stamps every date "now" (creation, last rotation, version dates): the clock moves instead.
    const later = new Date(Date.now() + 60 * 86_400_000);
    const { result: report } = await quietly(() =>
      runScheduledJob({ client: createRotationClient(), policy: loadScheduledConfig(process.env).policy, now: () => later }),
    );

    const byResource = (name: string) =>
      report.findings
        .filter((f) => f.resource === arns[name])
        .map((f) => `${f.kind}:${String(f.details.rotationStarted ?? '-')}`)
        .sort();
    assert.equal(report.checked, 3);
    assert.deepEqual(byResource('managed-rotating'), ['secret-rotation-overdue:true']);
    assert.deepEqual(byResource('managed-pending'), ['secret-rotation-overdue:false', 'secret-rotation-stuck:-']);
    assert.deepEqual(byResource('managed-disabled'), ['secret-rotation-disabled:-']);
    assert.equal(report.findings.length, 4);
    assert.deepEqual(
      report.rotationsStarted.map((r) => r.resource),
      [arns['managed-rotating']],
    );
    assert.match(report.rotationsStarted[0]!.versionId ?? '', /^[0-9a-f-]{36}$/);
    assert.deepEqual(report.errors, []);
  });
});
