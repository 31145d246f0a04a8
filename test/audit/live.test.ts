// Live audit with aws-sdk-client-mock on the real SDK v3 clients: pagination, throttling, routes, secrets.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { APIGatewayClient, GetResourcesCommand, GetRestApisCommand } from '@aws-sdk/client-api-gateway';
import { ApiGatewayV2Client, GetApisCommand, GetRoutesCommand } from '@aws-sdk/client-apigatewayv2';
import { GetAccountAuthorizationDetailsCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { runAudit } from '../../src/audit/engine';
import { readLiveInputs, type LiveAuditOptions } from '../../src/audit/live';
import { withThrottlingRetry } from '../../src/audit/live/aws-calls';

const region = 'eu-west-1';
const clients = {
  iam: new IAMClient({ region }),
  apiGateway: new APIGatewayClient({ region }),
  apiGatewayV2: new ApiGatewayV2Client({ region }),
  secretsManager: new SecretsManagerClient({ region }),
};
const iam = mockClient(clients.iam);
const rest = mockClient(clients.apiGateway);
const http = mockClient(clients.apiGatewayV2);
const sm = mockClient(clients.secretsManager);

const NOW = new Date('2026-10-01T00:00:00Z');
const DAY = 86_400_000;
const noSleep = async (): Promise<void> => {};
const encoded = (doc: unknown): string => encodeURIComponent(JSON.stringify(doc));

function throttled(): Error {
  return Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $retryable: { throttling: true } });
}

function mockEmptyApisAndSecrets(): void {
  rest.on(GetRestApisCommand).resolves({ items: [] });
  http.on(GetApisCommand).resolves({ Items: [] });
  sm.on(ListSecretsCommand).resolves({ SecretList: [] });
}

/** What the audit Lambda and `audit --live` do: read the account, then run the engine over it. */
async function auditLive(options: LiveAuditOptions) {
  return runAudit(await readLiveInputs(clients, options), options);
}

describe('Function: readLiveInputs, audited', () => {
  beforeEach(() => {
    iam.reset();
    rest.reset();
    http.reset();
    sm.reset();
  });

  it("reads every page of GetAccountAuthorizationDetails and combines a role's policies across pages", async () => {
    const role = (policies: { PolicyName: string; PolicyDocument: string }[]) => ({
      RoleName: 'deployer',
      Arn: 'arn:aws:iam::1:role/deployer',
      RolePolicyList: policies,
      AttachedManagedPolicies: [],
    });
    iam
      .on(GetAccountAuthorizationDetailsCommand, { Marker: undefined })
      .resolves({
        IsTruncated: true,
        Marker: 'page-2',
        RoleDetailList: [
          role([
            {
              PolicyName: 'pass',
              PolicyDocument: encoded({
                Statement: [{ Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::111111111111:role/fn' }],
              }),
            },
          ]),
        ],
      })
      .on(GetAccountAuthorizationDetailsCommand, { Marker: 'page-2' })
      .resolves({
        IsTruncated: false,
        RoleDetailList: [
          role([
            {
              PolicyName: 'lambda',
              PolicyDocument: encoded({
                Statement: [
                  {
                    Effect: 'Allow',
                    Action: ['lambda:CreateFunction', 'lambda:InvokeFunction'],
                    Resource: 'arn:aws:lambda:eu-west-1:111111111111:function:*',
                  },
                ],
              }),
            },
          ]),
        ],
      });
    mockEmptyApisAndSecrets();

    const { findings, summary } = await auditLive({ now: NOW, sleep: noSleep });

    assert.equal(iam.commandCalls(GetAccountAuthorizationDetailsCommand).length, 2);
    assert.deepEqual(
      findings.map((f) => `${f.kind} ${f.resource}`),
      ['privilege-escalation arn:aws:iam::1:role/deployer'],
    );
    assert.deepEqual(summary.inputs.sources, ['live:eu-west-1']);
  });

  it('retries a ThrottlingException and then succeeds', async () => {
    iam
      .on(GetAccountAuthorizationDetailsCommand)
      .rejectsOnce(throttled())
      .resolves({
        IsTruncated: false,
        UserDetailList: [
          {
            UserName: 'u',
            Arn: 'arn:aws:iam::1:user/u',
            UserPolicyList: [
              { PolicyName: 'all', PolicyDocument: encoded({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }) },
            ],
          },
        ],
      });
    mockEmptyApisAndSecrets();

    const { findings } = await auditLive({ now: NOW, sleep: noSleep });

    assert.equal(iam.commandCalls(GetAccountAuthorizationDetailsCommand).length, 2);
    assert.equal(findings.find((f) => f.kind === 'wildcard-action')?.resource, 'arn:aws:iam::1:user/u#all');
  });

  it('gives up after the retry budget and surfaces the throttling error', async () => {
    let calls = 0;
    await assert.rejects(
      withThrottlingRetry(
        async () => {
          calls += 1;
          throw throttled();
        },
        { attempts: 3, sleep: noSleep },
      ),
      { name: 'ThrottlingException' },
    );
    assert.equal(calls, 3);
  });

  it('does not retry errors other than throttling', async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    mockEmptyApisAndSecrets();
    await assert.rejects(auditLive({ now: NOW, sleep: noSleep }), { name: 'AccessDeniedException' });
    assert.equal(iam.commandCalls(GetAccountAuthorizationDetailsCommand).length, 1);
  });

  it('reports REST methods and HTTP routes without an authorizer across pages, except OPTIONS and the JWKS route', async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).resolves({ IsTruncated: false });
    rest.on(GetRestApisCommand).resolves({ items: [{ id: 'abc', name: 'meshgate' }] });
    rest
      .on(GetResourcesCommand, { restApiId: 'abc', position: undefined })
      .resolves({
        position: 'p2',
        items: [{ id: 'r1', path: '/.well-known/jwks.json', resourceMethods: { GET: { authorizationType: 'NONE' } } }],
      })
      .on(GetResourcesCommand, { restApiId: 'abc', position: 'p2' })
      .resolves({
        items: [
          {
            id: 'r2',
            path: '/orders',
            resourceMethods: {
              GET: { authorizationType: 'CUSTOM' },
              OPTIONS: { authorizationType: 'NONE' },
              DELETE: { authorizationType: 'NONE', apiKeyRequired: true },
            },
          },
        ],
      });
    http.on(GetApisCommand).resolves({
      Items: [
        { ApiId: 'h1', Name: 'http', ProtocolType: 'HTTP', RouteSelectionExpression: '${request.method} ${request.path}' },
        { ApiId: 'w1', Name: 'ws', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' },
      ],
    });
    http
      .on(GetRoutesCommand, { ApiId: 'h1', NextToken: undefined })
      .resolves({ NextToken: 't2', Items: [{ RouteId: 'x1', RouteKey: 'GET /me', AuthorizationType: 'JWT' }] })
      .on(GetRoutesCommand, { ApiId: 'h1', NextToken: 't2' })
      .resolves({ Items: [{ RouteId: 'x2', RouteKey: 'POST /debug', AuthorizationType: 'NONE' }] });
    sm.on(ListSecretsCommand).resolves({ SecretList: [] });

    const { findings } = await auditLive({ now: NOW, sleep: noSleep });

    assert.deepEqual(
      findings.map((f) => f.resource),
      ['arn:aws:apigateway:eu-west-1::/apis/h1/routes/x2', 'arn:aws:apigateway:eu-west-1::/restapis/abc/resources/r2/methods/DELETE'],
    );
    assert.equal(http.commandCalls(GetRoutesCommand).length, 2);
  });

  it('reports secrets with rotation disabled, overdue or stuck, and public secret policies', async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).resolves({ IsTruncated: false });
    rest.on(GetRestApisCommand).resolves({ items: [] });
    http.on(GetApisCommand).resolves({ Items: [] });
    sm.on(ListSecretsCommand, { NextToken: undefined })
      .resolves({
        NextToken: 'n2',
        SecretList: [
          { ARN: 'arn:s:ok', Name: 'ok' },
          { ARN: 'arn:s:off', Name: 'off' },
        ],
      })
      .on(ListSecretsCommand, { NextToken: 'n2' })
      .resolves({
        SecretList: [
          { ARN: 'arn:s:late', Name: 'late' },
          { ARN: 'arn:s:stuck', Name: 'stuck' },
        ],
      });
    const recent = new Date(NOW.getTime() - 5 * DAY);
    sm.on(DescribeSecretCommand, { SecretId: 'arn:s:ok' })
      .resolves({
        Name: 'ok',
        RotationEnabled: true,
        RotationRules: { AutomaticallyAfterDays: 30 },
        LastRotatedDate: recent,
        VersionIdsToStages: { v1: ['AWSCURRENT'] },
      })
      .on(DescribeSecretCommand, { SecretId: 'arn:s:off' })
      .resolves({ Name: 'off', RotationEnabled: false })
      .on(DescribeSecretCommand, { SecretId: 'arn:s:late' })
      .resolves({
        Name: 'late',
        RotationEnabled: true,
        RotationRules: { ScheduleExpression: 'rate(30 days)' },
        LastRotatedDate: new Date(NOW.getTime() - 40 * DAY),
      })
      .on(DescribeSecretCommand, { SecretId: 'arn:s:stuck' })
      .resolves({
        Name: 'stuck',
        RotationEnabled: true,
        RotationRules: { AutomaticallyAfterDays: 30 },
        LastRotatedDate: recent,
        VersionIdsToStages: { v1: ['AWSCURRENT'], v2: ['AWSPENDING'] },
      });
    sm.on(ListSecretVersionIdsCommand).resolves({
      Versions: [{ VersionId: 'v2', VersionStages: ['AWSPENDING'], CreatedDate: new Date(NOW.getTime() - 3 * DAY) }],
    });
    sm.on(GetResourcePolicyCommand)
      .resolves({})
      .on(GetResourcePolicyCommand, { SecretId: 'arn:s:off' })
      .resolves({
        ResourcePolicy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: '*', Action: 'secretsmanager:GetSecretValue', Resource: '*' }],
        }),
      });

    const { findings } = await auditLive({ now: NOW, sleep: noSleep });

    assert.deepEqual(
      findings.map((f) => `${f.kind} ${f.resource}`),
      [
        'public-principal arn:s:off',
        'secret-rotation-overdue arn:s:late',
        'secret-rotation-stuck arn:s:stuck',
        'secret-rotation-disabled arn:s:off',
      ],
    );
    assert.match(findings[1]!.message, /due to rotate on 2026-09-21 \(10 days ago\)/);
  });
});
