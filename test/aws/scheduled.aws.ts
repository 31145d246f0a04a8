// Against moto over HTTP: the scheduled job (functions/scheduled) checks managed secrets, then audits the live account;
// with a clock past the due dates it starts the overdue rotation and reports the stuck one.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateSecretCommand, RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ScheduledEvent } from 'aws-lambda';
import { createRotationClient } from '../../src/rotation/retry';
import { runScheduledJob } from '../../src/rotation/schedule';
import { loadScheduledConfig } from '../../functions/scheduled/config';
import { quietly, startMoto, useMotoInThisProcess, type Moto } from './support/moto';
import { startRotation } from './support/rotation-driver';

let moto: Moto;
let client: SecretsManagerClient;
const arns: Record<string, string> = {};

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
  },
  { timeout: 90_000 },
);

after(async () => {
  await moto?.stop();
});

describe('Scheduled job over HTTP (moto)', () => {
  it('the handler checks the three managed secrets, reports the disabled one, then audits the account', async () => {
    const { handler } = require('../../functions/scheduled/handler') as typeof import('../../functions/scheduled/handler');
    const { result, logs } = await quietly(() => handler({} as ScheduledEvent));

    assert.equal(result.secrets.checked, 3, 'meshgate:managed=true exactly; managed=false and untagged secrets are not checked');
    assert.deepEqual(
      result.secrets.findings.map((f) => [f.kind, f.resource]),
      [['secret-rotation-disabled', arns['managed-disabled']]],
    );
    assert.deepEqual(result.secrets.rotationsStarted, [], 'nothing is due yet (every version moto holds is minutes old)');
    assert.deepEqual(result.secrets.errors, []);
    // The live audit sees every secret: rotation off on the three that are not public and never rotated.
    assert.deepEqual(result.audit.byKind, { 'secret-rotation-disabled': 3 });
    assert.equal(result.audit.total, 3);

    const metricsLines = logs.filter((l) => l._aws !== undefined);
    const metric = (name: string) => metricsLines.find((l) => name in l)?.[name];
    assert.equal(metric('SecretsChecked'), 3);
    assert.equal(metric('Disabled'), 1);
    assert.equal(metric('Stuck'), 0);
    assert.equal(metric('AuditFindingsMedium'), 3);
    assert.equal(metric('AuditFindingsHigh'), 0);
    // The disabled secret is one line from the secrets check; the audit does not log it a second time.
    const auditLines = logs
      .filter((l) => l.message === 'audit finding')
      .map((l) => (l.auditFinding as { resource: string }).resource)
      .sort();
    assert.deepEqual(auditLines, [arns['managed-false'], arns['not-managed']].sort());
  });

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
