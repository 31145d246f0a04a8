// Workload identity in the live account: roles with each trust pattern (EKS IRSA, Pod Identity, ECS task, Cognito
// identity pool; pinned and unpinned) seeded into moto, then `npx meshgate audit --live --routes <file>` run as
// docs/audit.md shows it. The exact workload findings, none on the pinned roles.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { ACCOUNT, startMoto, type Moto } from './support/moto';

const OIDC = `oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE`;
const POOL = 'eu-west-1:12345678-1234-1234-1234-123456789012';
const CLUSTER = `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/mesh`;

const trust = (statement: Record<string, unknown>) => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
const irsa = (condition?: Record<string, unknown>) =>
  trust({
    Effect: 'Allow',
    Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${OIDC}` },
    Action: 'sts:AssumeRoleWithWebIdentity',
    ...(condition ? { Condition: condition } : {}),
  });
const service = (name: string, condition?: Record<string, unknown>) =>
  trust({
    Effect: 'Allow',
    Principal: { Service: name },
    Action: ['sts:AssumeRole', 'sts:TagSession'],
    ...(condition ? { Condition: condition } : {}),
  });
const pool = (condition?: Record<string, unknown>) =>
  trust({
    Effect: 'Allow',
    Principal: { Federated: 'cognito-identity.amazonaws.com' },
    Action: 'sts:AssumeRoleWithWebIdentity',
    ...(condition ? { Condition: condition } : {}),
  });

// Role name → its trust. The *-pinned roles must give no finding.
const ROLES: Record<string, string> = {
  'irsa-open': irsa({ StringLike: { [`${OIDC}:sub`]: 'system:serviceaccount:*' } }),
  'irsa-pinned': irsa({
    StringEquals: { [`${OIDC}:sub`]: 'system:serviceaccount:payments:payments', [`${OIDC}:aud`]: 'sts.amazonaws.com' },
  }),
  'pod-open': service('pods.eks.amazonaws.com'),
  'pod-pinned': service('pods.eks.amazonaws.com', {
    StringEquals: { 'aws:SourceAccount': ACCOUNT },
    ArnEquals: { 'aws:SourceArn': CLUSTER },
  }),
  'ecs-open': service('ecs-tasks.amazonaws.com'),
  'ecs-pinned': service('ecs-tasks.amazonaws.com', { StringEquals: { 'aws:SourceAccount': ACCOUNT } }),
  'pool-open': pool(),
  'pool-pinned': pool({
    StringEquals: { 'cognito-identity.amazonaws.com:aud': POOL },
    'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
  }),
};

const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

let moto: Moto;
let dir: string;

before(
  async () => {
    moto = await startMoto();
    const iam = new IAMClient(moto.clientConfig);
    for (const [RoleName, AssumeRolePolicyDocument] of Object.entries(ROLES))
      await iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument }));
    dir = await mkdtemp(join(tmpdir(), 'meshgate-aws-workload-'));
    // orders and payments share irsa-pinned; ledger names a role the account does not have.
    const routes = {
      upstreams: {
        orders: { audience: 'orders-service', principals: { iam: [role('irsa-pinned')] } },
        payments: { audience: 'payments-service', principals: { iam: [role('irsa-pinned')] } },
        ledger: { audience: 'ledger-service', principals: { iam: [role('ledger')] } },
      },
      routes: [],
    };
    await writeFile(join(dir, 'routes.json'), JSON.stringify(routes, null, 2));
  },
  { timeout: 120_000 },
);

after(async () => {
  await moto?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Finding {
  readonly kind: string;
  readonly severity: string;
  readonly resource: string;
}

describe('workload identity in the live account (moto)', () => {
  it('npx meshgate audit --live --routes: each unpinned trust, the shared and the missing service role; nothing on pinned roles', async () => {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
    const args = [
      '--no-install',
      'meshgate',
      'audit',
      '--live',
      '--routes',
      join(dir, 'routes.json'),
      '--format',
      'json',
      '--fail-on',
      'high',
    ];
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile('npx', args, { env: { ...env, ...moto.env }, timeout: 180_000, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
      });
    });
    assert.equal(result.code, 1, `high findings fail the run; stderr:\n${result.stderr}`);
    const findings = (JSON.parse(result.stdout) as { findings: Finding[] }).findings.filter((f) =>
      ['workload-trust-unpinned', 'workload-role-shared', 'service-role-missing'].includes(f.kind),
    );
    const rows = findings.map((f) => `${f.kind} ${f.severity} ${f.resource}`).sort();
    assert.deepEqual(
      rows,
      [
        `service-role-missing high ${role('ledger')}`,
        `workload-role-shared high ${role('irsa-pinned')}`,
        `workload-trust-unpinned high ${role('irsa-open')}`,
        `workload-trust-unpinned high ${role('pod-open')}`,
        `workload-trust-unpinned high ${role('pool-open')}`,
        `workload-trust-unpinned medium ${role('ecs-open')}`,
      ].sort(),
    );
  });
});
