// The live audit at scale against moto over HTTP: 500 secrets and 500 roles. Proves the result and the progress lines;
// the durations are printed as diagnostics (the README's figure), never asserted (they depend on the machine).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { readLiveInputs } from '../../src/audit/live';
import { mapBounded } from '../../src/audit/live/aws-calls';
import { ACCOUNT, REGION, startMoto, type Moto } from './support/moto';

const SECRETS = 500;
const ROLES = 500;
let moto: Moto;

before(
  async () => {
    moto = await startMoto();
    const iam = new IAMClient(moto.clientConfig);
    const sm = new SecretsManagerClient(moto.clientConfig);
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    await mapBounded(
      Array.from({ length: ROLES }, (_, i) => i),
      8,
      async (i) => {
        await iam.send(new CreateRoleCommand({ RoleName: `svc-${i}`, AssumeRolePolicyDocument: trust }));
        await iam.send(
          new PutRolePolicyCommand({
            RoleName: `svc-${i}`,
            PolicyName: 'logs',
            PolicyDocument: JSON.stringify({
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
                  Resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/svc-${i}:*`,
                },
              ],
            }),
          }),
        );
      },
    );
    await mapBounded(
      Array.from({ length: SECRETS }, (_, i) => i),
      8,
      (i) => sm.send(new CreateSecretCommand({ Name: `app/secret-${i}`, SecretString: '{"token":"x"}' })),
    );
  },
  { timeout: 600_000 },
);

after(async () => {
  await moto?.stop();
});

describe(`Live audit at scale over HTTP (moto): ${SECRETS} secrets, ${ROLES} roles`, () => {
  it('npx meshgate audit --live: every secret reported once, no role finding, progress on stderr every 100 secrets', async (t) => {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
    const started = Date.now();
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        'npx',
        ['--no-install', 'meshgate', 'audit', '--live', '--format', 'json'],
        { env: { ...env, ...moto.env }, timeout: 300_000, maxBuffer: 64 * 1024 * 1024 },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
      );
    });
    const ms = Date.now() - started;
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as { findings: { kind: string }[]; summary: { inputs: { documents: number; secrets: number } } };
    assert.equal(report.summary.inputs.secrets, SECRETS);
    assert.equal(report.summary.inputs.documents, ROLES * 2, 'each role: trust policy and inline policy');
    assert.equal(report.findings.length, SECRETS);
    assert.ok(report.findings.every((f) => f.kind === 'secret-rotation-disabled'));
    const progress = r.stderr.split('\n').filter((l) => l.startsWith('meshgate audit: live: read '));
    assert.deepEqual(
      progress,
      [100, 200, 300, 400, 500].map((n) => `meshgate audit: live: read ${n}/${SECRETS} secrets`),
    );
    t.diagnostic(
      `npx meshgate audit --live, ${SECRETS} secrets + ${ROLES} roles: ${(ms / 1000).toFixed(1)} s wall (process start included)`,
    );
  });

  it('reads the same account in-process with 1 and with 8 secrets in flight (diagnostic figures, same result)', async (t) => {
    const clients = {
      iam: new IAMClient(moto.clientConfig),
      apiGateway: new APIGatewayClient(moto.clientConfig),
      apiGatewayV2: new ApiGatewayV2Client(moto.clientConfig),
      secretsManager: new SecretsManagerClient(moto.clientConfig),
    };
    const figures: string[] = [];
    const counts: number[] = [];
    for (const secretConcurrency of [1, 8]) {
      const started = process.hrtime.bigint();
      const input = await readLiveInputs(clients, { secretConcurrency });
      figures.push(`${secretConcurrency} in flight: ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(2)} s`);
      counts.push(input.secrets.length);
    }
    assert.deepEqual(counts, [SECRETS, SECRETS]);
    t.diagnostic(`readLiveInputs, ${SECRETS} secrets + ${ROLES} roles: ${figures.join('; ')}`);
  });
});
