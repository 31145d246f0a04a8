// `npx meshgate audit --live`, run exactly as docs/audit.md and the README show it, against a seeded moto account:
// the exact findings, no others, in every format; the documented baseline/suppressions form; `meshgate rotate`.
// moto deviation: its IAM and API Gateway never paginate (one page holds everything), so paging over several pages
// is proved with aws-sdk-client-mock in test/audit/live.test.ts, not here.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  APIGatewayClient,
  CreateResourceCommand,
  CreateRestApiCommand,
  GetResourcesCommand,
  PutMethodCommand,
} from '@aws-sdk/client-api-gateway';
import { ApiGatewayV2Client, AuthorizationType, CreateApiCommand, CreateRouteCommand } from '@aws-sdk/client-apigatewayv2';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateSecretCommand, DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { sarifValidator } from '../audit/support';
import { ACCOUNT, REGION, startMoto, type Moto } from './support/moto';
import { seedAccount, type SeededAccount } from './support/seed-account';

let moto: Moto;
let seeded: SeededAccount;
let dir: string;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a documented command line from the repository root, with only moto's endpoint and dummy credentials. */
function run(file: string, args: readonly string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
  return new Promise((resolve) => {
    execFile(
      file,
      [...args],
      { env: { ...env, ...moto.env, ...extraEnv }, timeout: 180_000, maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) => {
        resolve({
          code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null) : 0,
          stdout,
          stderr,
        });
      },
    );
  });
}
const npx = (...args: string[]) => run('npx', ['--no-install', ...args]);

before(
  async () => {
    moto = await startMoto();
    seeded = await seedAccount(moto);
    dir = await mkdtemp(join(tmpdir(), 'meshgate-aws-audit-'));
  },
  { timeout: 120_000 },
);

after(async () => {
  await moto?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

type Row = [kind: string, severity: string, resource: string, element: string];

function expected(): Row[] {
  const iam = (path: string) => `arn:aws:iam::${ACCOUNT}:${path}`;
  const rest = (resource: string, method: string) =>
    `arn:aws:apigateway:${REGION}::/restapis/${seeded.restApiId}/resources/${resource}/methods/${method}`;
  const rows: Row[] = [
    ['public-principal', 'critical', iam('role/public-trust'), '*'],
    ['public-principal', 'critical', seeded.secretArns.shared!, '*'],
    ['wildcard-action', 'critical', iam('policy/admin-star'), '1: *'],
    // Action "*" on Resource "*" is a whole-service wildcard on every resource: also wildcard-resource-sensitive, less
    // the actions its escalation and passrole-star findings already report (one finding per risk).
    [
      'wildcard-resource-sensitive',
      'high',
      iam('policy/admin-star'),
      '12745: acm-pca:CreatePermission, acm-pca:DeletePermission, acm-pca:DeletePolicy, acm-pca:PutPolicy, apigateway:AddCertificateToDomain',
    ],
    // NotAction iam:* on "*" is judged by what it allows, as the same grant written with Action would be.
    [
      'wildcard-resource-sensitive',
      'high',
      iam('group/devs#everything-but-iam'),
      '12679: apprunner:CreateService, cloudformation:CreateStack, cloudformation:CreateStackInstances, cloudformation:UpdateStackSet, codebuild:CreateProject',
    ],
    ['notaction-allow', 'high', iam('group/devs#everything-but-iam'), 'iam:*'],
    ['passrole-star', 'high', iam('policy/admin-star'), 'iam:PassRole'],
    ['passrole-star', 'high', iam('user/deployer#pass-any-role'), 'iam:PassRole'],
    // NotAction iam:* on "*" grants lambda:UpdateFunctionCode, ec2:ModifyInstanceAttribute and others.
    ['privilege-escalation', 'high', iam('group/devs#everything-but-iam'), 'lambda:UpdateFunctionCode'],
    ['privilege-escalation', 'high', iam('policy/admin-star'), 'iam:CreatePolicyVersion'],
    // The combined method: PassRole in one inline policy, CreateFunction + InvokeFunction in the other.
    ['privilege-escalation', 'high', iam('role/escalator'), 'iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction'],
    [
      'route-without-authorizer',
      'high',
      `arn:aws:apigateway:${REGION}::/apis/${seeded.httpApiId}/routes/${seeded.httpRoutes.fallback}`,
      'ANY $default',
    ],
    ['route-without-authorizer', 'high', rest(seeded.restResources.orders!, 'POST'), 'POST /orders'],
    ['route-without-authorizer', 'high', rest(seeded.restResources.health!, 'GET'), 'GET /health'],
    ['secret-rotation-disabled', 'medium', seeded.secretArns.static!, ''],
  ];
  return rows.sort();
}

interface JsonFinding {
  kind: string;
  severity: string;
  resource: string;
  action?: string;
  /** Once-per-statement kinds list the actions they cover instead of one `action`. */
  actions?: { count: number; sample: string[] };
  principal?: string;
}

function rowsOf(findings: readonly JsonFinding[]): Row[] {
  return findings
    .map((f): Row => {
      const element =
        f.kind === 'public-principal'
          ? (f.principal ?? '')
          : f.kind === 'notaction-allow'
            ? (f.action ?? '').replace(/^NotAction: /, '')
            : f.kind === 'secret-rotation-disabled'
              ? ''
              : (f.action ?? `${f.actions?.count ?? 0}: ${f.actions?.sample.join(', ') ?? ''}`);
      return [f.kind, f.severity, f.resource, element];
    })
    .sort();
}

describe('meshgate audit --live over HTTP (moto), as documented', () => {
  it('npx meshgate audit --live --format json: exactly the seeded findings, nothing on the clean principals, routes and secrets', async () => {
    const r = await npx('meshgate', 'audit', '--live', '--format', 'json');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /read 15 policy document\(s\), 10 route\(s\), 5 secret\(s\) from 1 source\(s\)/);
    const report = JSON.parse(r.stdout) as { findings: JsonFinding[]; summary: { total: number; inputs: { sources: string[] } } };
    assert.deepEqual(rowsOf(report.findings), expected());
    assert.equal(report.summary.total, 15);
    assert.deepEqual(report.summary.inputs.sources, [`live:${REGION}`]);
    // Nothing at all about what was seeded clean.
    const clean = [
      'role/app',
      'role/org-trust',
      'user/self-service',
      'user/alice',
      'policy/fixed-later',
      'policy/read-reports-bucket',
      'secret:rotating',
      'secret:public-jwks',
      'secret:shared-in-org',
    ];
    for (const name of clean) assert.ok(!report.findings.some((f) => f.resource.includes(name)), `no finding on ${name}`);
  });

  it('npx meshgate audit --live (table, the default) and --format sarif report the same findings', async () => {
    const [table, sarif] = await Promise.all([
      npx('meshgate', 'audit', '--live'),
      npx('meshgate', 'audit', '--live', '--format', 'sarif', '--fail-on', 'none'),
    ]);
    assert.equal(table.code, 1, table.stderr);
    assert.match(table.stderr, /meshgate audit: 15 finding\(s\): 3 critical, 11 high, 1 medium, 0 low/);
    for (const [kind] of expected()) assert.ok(table.stdout.includes(kind), `table names ${kind}`);
    assert.equal(sarif.code, 0, sarif.stderr);
    const doc = JSON.parse(sarif.stdout) as {
      runs: { results: { ruleId: string; level: string; locations: { logicalLocations?: { fullyQualifiedName: string }[] }[] }[] }[];
    };
    assert.ok((await sarifValidator())(doc), 'valid SARIF 2.1.0');
    const results = doc.runs[0]!.results;
    assert.equal(results.length, 15);
    assert.deepEqual(
      results.map((x) => x.ruleId).sort(),
      expected()
        .map(([kind]) => kind)
        .sort(),
    );
    assert.equal(results.filter((x) => x.level === 'error').length, 14, 'critical and high map to error');
  });

  it('npx meshgate audit --live --baseline audit-baseline.json --suppressions config/audit-suppressions.json: nothing new (exit 0)', async () => {
    const baseline = join(dir, 'audit-baseline.json');
    const write = await npx('meshgate', 'audit', '--live', '--write-baseline', baseline);
    assert.equal(write.code, 0, write.stderr);
    assert.match(write.stderr, /wrote baseline .* with 15 accepted finding\(s\)/);
    const again = await npx(
      'meshgate',
      'audit',
      '--live',
      '--baseline',
      baseline,
      '--suppressions',
      'config/audit-suppressions.json',
      '--format',
      'json',
    );
    assert.equal(again.code, 0, again.stderr);
    const report = JSON.parse(again.stdout) as { findings: unknown[]; summary: { baseline: { accepted: number } } };
    assert.deepEqual(report.findings, []);
    assert.equal(report.summary.baseline.accepted, 15);
  });

  it('exits 2 naming the cause when the account cannot be read (no endpoint listening)', async () => {
    const down = await run('npx', ['--no-install', 'meshgate', 'audit', '--live'], {
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_MAX_ATTEMPTS: '1',
    });
    assert.equal(down.code, 2, down.stderr);
    assert.match(down.stderr, /cannot read the live account: .*ECONNREFUSED/);
    assert.equal(down.stdout, '');
  });
});

describe('meshgate rotate --secret-id over HTTP (moto)', () => {
  it('npx meshgate rotate --secret-id <id> starts the rotation and prints the pending version; an unknown id exits 1', async () => {
    const sm = new SecretsManagerClient(moto.clientConfig);
    const created = await sm.send(new CreateSecretCommand({ Name: 'meshgate/awstest/rotate-cli', SecretString: '{"token":"x"}' }));
    const r = await npx('meshgate', 'rotate', '--secret-id', 'meshgate/awstest/rotate-cli');
    assert.equal(r.code, 0, r.stderr);
    const version = /pending version ([0-9a-f-]{36})/.exec(r.stdout)?.[1];
    assert.ok(version, r.stdout);
    assert.match(r.stdout, new RegExp(`rotation started for ${created.ARN!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const stages = (await sm.send(new DescribeSecretCommand({ SecretId: created.ARN }))).VersionIdsToStages ?? {};
    assert.ok(version in stages, 'the version RotateSecret created');
    const missing = await npx('meshgate', 'rotate', '--secret-id', 'meshgate/awstest/no-such-secret');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^meshgate rotate: ResourceNotFoundException: /m);
  });
});

describe('meshgate audit --live in other partitions (moto keeps one account per partition)', () => {
  for (const [region, partition] of [
    ['us-gov-west-1', 'aws-us-gov'],
    ['cn-north-1', 'aws-cn'],
  ] as const) {
    it(`${region}: every ARN, built or read, is in ${partition}`, async () => {
      const config = { ...moto.clientConfig, region };
      await new IAMClient(config).send(
        new CreateRoleCommand({
          RoleName: 'open',
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }],
          }),
        }),
      );
      const apigw = new APIGatewayClient(config);
      const restApiId = (await apigw.send(new CreateRestApiCommand({ name: 'gov-rest' }))).id!;
      const root = (await apigw.send(new GetResourcesCommand({ restApiId }))).items!.find((r) => r.path === '/')!.id!;
      const items = (await apigw.send(new CreateResourceCommand({ restApiId, parentId: root, pathPart: 'items' }))).id!;
      await apigw.send(new PutMethodCommand({ restApiId, resourceId: items, httpMethod: 'GET', authorizationType: 'NONE' }));
      const v2 = new ApiGatewayV2Client(config);
      const httpApiId = (await v2.send(new CreateApiCommand({ Name: 'gov-http', ProtocolType: 'HTTP' }))).ApiId!;
      const routeId = (
        await v2.send(new CreateRouteCommand({ ApiId: httpApiId, RouteKey: 'GET /items', AuthorizationType: AuthorizationType.NONE }))
      ).RouteId!;

      const r = await run('npx', ['--no-install', 'meshgate', 'audit', '--live', '--format', 'json'], { AWS_REGION: region });
      assert.equal(r.code, 1, r.stderr);
      const findings = (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings;
      assert.deepEqual(findings.map((f) => `${f.kind} ${f.resource}`).sort(), [
        `public-principal arn:${partition}:iam::${ACCOUNT}:role/open`,
        `route-without-authorizer arn:${partition}:apigateway:${region}::/apis/${httpApiId}/routes/${routeId}`,
        `route-without-authorizer arn:${partition}:apigateway:${region}::/restapis/${restApiId}/resources/${items}/methods/GET`,
      ]);
    });
  }
});
