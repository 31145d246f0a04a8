// Seeds a moto account with IAM principals and policies, REST and HTTP APIs and secrets, each built to produce a known
// audit result: either one exact finding or none (test/aws/audit-live.aws.ts pins the whole list).
import {
  APIGatewayClient,
  CreateAuthorizerCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  GetResourcesCommand,
  PutMethodCommand,
} from '@aws-sdk/client-api-gateway';
import {
  ApiGatewayV2Client,
  AuthorizationType,
  CreateApiCommand,
  CreateAuthorizerCommand as CreateV2AuthorizerCommand,
  CreateRouteCommand,
} from '@aws-sdk/client-apigatewayv2';
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateSecretCommand, PutResourcePolicyCommand, RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ACCOUNT, REGION, type Moto } from './moto';

const doc = (...Statement: Record<string, unknown>[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const lambdaTrust = doc({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' });
const authorizerUri = `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/arn:aws:lambda:${REGION}:${ACCOUNT}:function:meshgate-authorizer/invocations`;

export interface SeededAccount {
  readonly restApiId: string;
  readonly restResources: Record<string, string>;
  readonly httpApiId: string;
  readonly httpRoutes: Record<string, string>;
  readonly secretArns: Record<string, string>;
}

async function seedIam(iam: IAMClient): Promise<void> {
  // Managed policies: one bad (attached to a group), one clean (attached to a role), one whose bad version 1 is no
  // longer the default (only the default version is in force: no finding).
  const adminStar = await iam.send(
    new CreatePolicyCommand({ PolicyName: 'admin-star', PolicyDocument: doc({ Effect: 'Allow', Action: '*', Resource: '*' }) }),
  );
  const readBucket = await iam.send(
    new CreatePolicyCommand({
      PolicyName: 'read-reports-bucket',
      PolicyDocument: doc({
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:ListBucket'],
        Resource: ['arn:aws:s3:::reports', 'arn:aws:s3:::reports/*'],
      }),
    }),
  );
  const fixedLater = await iam.send(
    new CreatePolicyCommand({ PolicyName: 'fixed-later', PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:*', Resource: '*' }) }),
  );
  await iam.send(
    new CreatePolicyVersionCommand({
      PolicyArn: fixedLater.Policy!.Arn,
      SetAsDefault: true,
      PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:GetRole', Resource: `arn:aws:iam::${ACCOUNT}:role/app` }),
    }),
  );

  // Groups: admins (the bad managed policy), devs (an inline NotAction allow).
  await iam.send(new CreateGroupCommand({ GroupName: 'admins' }));
  await iam.send(new AttachGroupPolicyCommand({ GroupName: 'admins', PolicyArn: adminStar.Policy!.Arn }));
  await iam.send(new CreateGroupCommand({ GroupName: 'devs' }));
  await iam.send(
    new PutGroupPolicyCommand({
      GroupName: 'devs',
      PolicyName: 'everything-but-iam',
      PolicyDocument: doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }),
    }),
  );

  // Users: alice in admins; deployer passes any role; self-service manages only its own access keys (not a finding).
  await iam.send(new CreateUserCommand({ UserName: 'alice' }));
  await iam.send(new AddUserToGroupCommand({ GroupName: 'admins', UserName: 'alice' }));
  await iam.send(new CreateUserCommand({ UserName: 'deployer' }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'deployer',
      PolicyName: 'pass-any-role',
      PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' }),
    }),
  );
  await iam.send(new CreateUserCommand({ UserName: 'self-service' }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'self-service',
      PolicyName: 'own-keys',
      PolicyDocument: doc({
        Effect: 'Allow',
        Action: ['iam:CreateAccessKey', 'iam:ListAccessKeys'],
        Resource: `arn:aws:iam::${ACCOUNT}:user/\${aws:username}`,
      }),
    }),
  );

  // Roles: app (clean, managed + inline); escalator (PassRole + CreateFunction + InvokeFunction spread over two
  // policies: a combined method); public-trust (anyone may assume it).
  await iam.send(new CreateRoleCommand({ RoleName: 'app', AssumeRolePolicyDocument: lambdaTrust }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'app', PolicyArn: readBucket.Policy!.Arn }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'app', PolicyArn: fixedLater.Policy!.Arn }));
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'app',
      PolicyName: 'logs',
      PolicyDocument: doc({
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/app:*`,
      }),
    }),
  );
  await iam.send(new CreateRoleCommand({ RoleName: 'escalator', AssumeRolePolicyDocument: lambdaTrust }));
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'escalator',
      PolicyName: 'pass-exec-role',
      PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:PassRole', Resource: `arn:aws:iam::${ACCOUNT}:role/lambda-exec` }),
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'escalator',
      PolicyName: 'deploy-functions',
      PolicyDocument: doc({
        Effect: 'Allow',
        Action: ['lambda:CreateFunction', 'lambda:InvokeFunction'],
        Resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:*`,
      }),
    }),
  );
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'public-trust',
      AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }),
    }),
  );
  // Narrowed to one organization: not public.
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'org-trust',
      AssumeRolePolicyDocument: doc({
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123def4' } },
      }),
    }),
  );
}

async function seedRestApi(apigw: APIGatewayClient): Promise<Pick<SeededAccount, 'restApiId' | 'restResources'>> {
  const api = await apigw.send(new CreateRestApiCommand({ name: 'orders-rest' }));
  const restApiId = api.id!;
  const root = (await apigw.send(new GetResourcesCommand({ restApiId }))).items!.find((r) => r.path === '/')!.id!;
  const authorizer = await apigw.send(
    new CreateAuthorizerCommand({
      restApiId,
      name: 'meshgate',
      type: 'REQUEST',
      authorizerUri,
      identitySource: 'method.request.header.Authorization',
    }),
  );
  const resource = async (parentId: string, pathPart: string) =>
    (await apigw.send(new CreateResourceCommand({ restApiId, parentId, pathPart }))).id!;
  const orders = await resource(root, 'orders');
  const health = await resource(root, 'health');
  const wellKnown = await resource(root, '.well-known');
  const jwks = await resource(wellKnown, 'jwks.json');
  const iamOnly = await resource(root, 'internal');
  const method = (resourceId: string, httpMethod: string, authorizationType: string, extra: Record<string, unknown> = {}) =>
    apigw.send(new PutMethodCommand({ restApiId, resourceId, httpMethod, authorizationType, ...extra }));
  await method(orders, 'GET', 'CUSTOM', { authorizerId: authorizer.id });
  await method(orders, 'POST', 'NONE'); // finding
  await method(orders, 'OPTIONS', 'NONE'); // CORS preflight: exempt
  await method(health, 'GET', 'NONE', { apiKeyRequired: true }); // an API key is not an authorizer: finding
  await method(jwks, 'GET', 'NONE'); // public by default
  await method(iamOnly, 'GET', 'AWS_IAM');
  return { restApiId, restResources: { orders, health, jwks, iamOnly } };
}

async function seedHttpApi(v2: ApiGatewayV2Client): Promise<Pick<SeededAccount, 'httpApiId' | 'httpRoutes'>> {
  const api = await v2.send(new CreateApiCommand({ Name: 'orders-http', ProtocolType: 'HTTP' }));
  const ApiId = api.ApiId!;
  const jwt = await v2.send(
    new CreateV2AuthorizerCommand({
      ApiId,
      Name: 'jwt',
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: 'https://idp.example.com/', Audience: ['orders'] },
    }),
  );
  const route = async (RouteKey: string, type: AuthorizationType, AuthorizerId?: string) =>
    (await v2.send(new CreateRouteCommand({ ApiId, RouteKey, AuthorizationType: type, ...(AuthorizerId ? { AuthorizerId } : {}) })))
      .RouteId!;
  const httpRoutes = {
    getOrders: await route('GET /orders', AuthorizationType.JWT, jwt.AuthorizerId),
    postOrders: await route('POST /orders', AuthorizationType.AWS_IAM),
    fallback: await route('$default', AuthorizationType.NONE), // finding
    preflight: await route('OPTIONS /orders', AuthorizationType.NONE), // exempt
  };
  // WebSocket APIs authorize on $connect only; their routes are not HTTP routes.
  const ws = await v2.send(
    new CreateApiCommand({ Name: 'events-ws', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }),
  );
  await v2.send(new CreateRouteCommand({ ApiId: ws.ApiId!, RouteKey: 'sendMessage', AuthorizationType: AuthorizationType.NONE }));
  return { httpApiId: ApiId, httpRoutes };
}

async function seedSecrets(sm: SecretsManagerClient): Promise<Record<string, string>> {
  const arns: Record<string, string> = {};
  const create = async (Name: string, Tags: Record<string, string> = {}) => {
    const out = await sm.send(
      new CreateSecretCommand({
        Name,
        SecretString: '{"token":"seed"}',
        Tags: Object.entries(Tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
    arns[Name] = out.ARN!;
  };
  // moto turns rotation on without a rotation function when RotateImmediately is false (see test/aws/scheduled.aws.ts).
  const enableRotation = (SecretId: string) =>
    sm.send(new RotateSecretCommand({ SecretId, RotationRules: { AutomaticallyAfterDays: 30 }, RotateImmediately: false }));
  await create('rotating');
  await enableRotation('rotating');
  await create('static'); // finding: rotation off
  await create('public-jwks', { 'meshgate:public': 'true' }); // public data: rotation off is fine
  await create('shared');
  await enableRotation('shared');
  await sm.send(
    new PutResourcePolicyCommand({
      SecretId: 'shared',
      ResourcePolicy: doc({ Effect: 'Allow', Principal: '*', Action: 'secretsmanager:GetSecretValue', Resource: '*' }),
    }),
  ); // finding
  await create('shared-in-org');
  await enableRotation('shared-in-org');
  await sm.send(
    new PutResourcePolicyCommand({
      SecretId: 'shared-in-org',
      ResourcePolicy: doc({
        Effect: 'Allow',
        Principal: '*',
        Action: 'secretsmanager:GetSecretValue',
        Resource: '*',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123def4' } },
      }),
    }),
  );
  return arns;
}

/** Seeds every part of the account; returns the ids the expected findings name. */
export async function seedAccount(moto: Moto): Promise<SeededAccount> {
  const config = moto.clientConfig;
  await seedIam(new IAMClient(config));
  const rest = await seedRestApi(new APIGatewayClient(config));
  const http = await seedHttpApi(new ApiGatewayV2Client(config));
  const secretArns = await seedSecrets(new SecretsManagerClient(config));
  return { ...rest, ...http, secretArns };
}
