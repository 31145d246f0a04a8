// Inputs: policy files and folders, account authorization details, CloudFormation templates (JSON and YAML).
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runAudit } from '../../src/audit/engine';
import { readAccountDetails } from '../../src/audit/inputs/account-details';
import { readTemplate, readTemplateText } from '../../src/audit/inputs/cloudformation';
import { readPolicyFiles } from '../../src/audit/inputs/policy-files';
import { MeshgateError } from '../../src/errors';

const FIXTURES = 'test/audit/fixtures';

describe('Input: policy files', () => {
  it('reads a folder recursively, unwraps CLI output and classifies resource policies', async () => {
    const input = await readPolicyFiles([`${FIXTURES}/policies`]);
    const kinds = Object.fromEntries(input.documents.map((d) => [d.id.split('/').pop(), d.policyKind]));
    assert.deepEqual(kinds, {
      'bad-version.json': 'identity',
      'bucket-policy-cli.json': 'resource',
      'kms-key-policy.json': 'resource',
      'lambda-role.json': 'identity',
    });
    const { findings } = await runAudit(input);
    assert.deepEqual(
      findings.map((f) => [f.kind, f.resource.split('/').pop(), f.statement]),
      [
        ['public-principal', 'bucket-policy-cli.json', 'PublicRead'],
        ['wildcard-action', 'kms-key-policy.json', 'AccountAdmin'],
        ['malformed', 'bad-version.json', undefined],
      ],
    );
  });

  it('points findings at the line of the statement', async () => {
    const { findings } = await runAudit(await readPolicyFiles([`${FIXTURES}/policies/kms-key-policy.json`]));
    assert.deepEqual(findings[0]?.location, { file: `${FIXTURES}/policies/kms-key-policy.json`, line: 4 });
  });

  const inputError = (pattern: RegExp) => (err: unknown) =>
    err instanceof MeshgateError && err.code === 'audit_input_invalid' && pattern.test(err.message);

  it('refuses a path that gives no policy document, naming it: an empty folder, a folder without *.json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshgate-policies-'));
    await assert.rejects(readPolicyFiles([dir]), inputError(new RegExp(`--policies ${dir} holds no .json file: nothing was audited`)));
    await writeFile(join(dir, 'role.policy'), '{}');
    await mkdir(join(dir, 'yaml'));
    await writeFile(join(dir, 'yaml', 'bucket.yaml'), 'Version: 2012-10-17');
    await assert.rejects(readPolicyFiles([dir]), inputError(/holds no \.json file \(not read: .*role\.policy, .*bucket\.yaml\)/));
  });

  it('reads a file named on the command line whatever its extension', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshgate-policies-'));
    await writeFile(join(dir, 'role.policy'), JSON.stringify({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }));
    assert.equal((await readPolicyFiles([join(dir, 'role.policy')])).documents.length, 1);
  });

  it('refuses a file that is not JSON, or wraps a policy that is not, unless allowUnreadable skips and counts it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshgate-policies-'));
    await copyFile(`${FIXTURES}/broken.json`, join(dir, 'broken.json'));
    await writeFile(join(dir, 'wrapped.json'), JSON.stringify({ Policy: '{"Statement": [' }));
    await assert.rejects(readPolicyFiles([join(dir, 'broken.json')]), inputError(/broken\.json is not JSON/));
    await assert.rejects(readPolicyFiles([join(dir, 'wrapped.json')]), inputError(/wrapped\.json: the policy it wraps is not JSON/));
    await symlink(join(dir, 'gone.json'), join(dir, 'dangling.json'));
    await assert.rejects(readPolicyFiles([dir]), inputError(/cannot read .*dangling\.json: ENOENT/));
    await assert.rejects(
      readPolicyFiles([dir], { allowUnreadable: true }),
      inputError(/gave no policy document: every file was unreadable/),
    );
    await copyFile(`${FIXTURES}/policies/nested/lambda-role.json`, join(dir, 'role.json'));
    const input = await readPolicyFiles([dir], { allowUnreadable: true });
    assert.equal(input.documents.length, 1);
    assert.deepEqual(
      input.skipped.map((s) => s.file),
      [join(dir, 'broken.json'), join(dir, 'dangling.json'), join(dir, 'wrapped.json')],
    );
  });

  it('throws audit_input_invalid for a path that does not exist', async () => {
    await assert.rejects(
      readPolicyFiles([`${FIXTURES}/nope.json`]),
      (err: unknown) => err instanceof MeshgateError && err.code === 'audit_input_invalid',
    );
  });
});

describe('Input: account authorization details', () => {
  it('audits default versions only, AWS-managed policies through principals, and self-scoped keys correctly', async () => {
    const input = await readPolicyFiles([`${FIXTURES}/account-authorization-details.json`]);
    const { findings } = await runAudit(input);
    const seen = findings.map((f) => `${f.kind} ${f.resource} ${String(f.statement)}`);
    assert.deepEqual(seen, [
      'privilege-escalation arn:aws:iam::123456789012:user/ci-deployer 0',
      'privilege-escalation arn:aws:iam::123456789012:user/ci-deployer#self-service-keys OwnPolicies',
      // secretsmanager:GetSecretValue on "*" is a data read: medium, listed before the policy's finding.
      'wildcard-resource-sensitive arn:aws:iam::123456789012:role/meshgate-dev-lambdaRole#meshgate-dev-lambda 2',
      'wildcard-resource-sensitive arn:aws:iam::123456789012:policy/meshgate-deploy 1',
    ]);
    // v2 of meshgate-deploy allowed "*" but is not the default version.
    assert.ok(!findings.some((f) => f.kind === 'wildcard-action'));
    assert.match(findings[0]!.message, /lambda-001.*group\/deployers#pass-lambda-role/);
  });

  it('decodes the URL-encoded documents the API returns', async () => {
    const encoded = encodeURIComponent(
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
    );
    const input = readAccountDetails({
      RoleDetailList: [{ RoleName: 'r', Arn: 'arn:aws:iam::1:role/r', RolePolicyList: [{ PolicyName: 'p', PolicyDocument: encoded }] }],
    });
    const { findings } = await runAudit(input);
    assert.equal(findings.find((f) => f.kind === 'wildcard-action')?.resource, 'arn:aws:iam::1:role/r#p');
  });
});

describe('Input: CloudFormation template', () => {
  it('audits a serverless package template: routes, Lambda permissions, secrets, role policies', async () => {
    const { findings, summary } = await runAudit(await readTemplate(`${FIXTURES}/serverless-template.json`));
    assert.deepEqual(
      findings.map((f) => `${f.severity} ${f.kind} ${f.resource}`),
      [
        'critical public-principal AuthorizerLambdaPermissionApiGateway',
        'high route-without-authorizer ApiGatewayMethodAdminGet',
        'high route-without-authorizer HttpApiRouteGetHealth',
        'medium secret-rotation-disabled LegacyApiSecret',
      ],
    );
    assert.match(findings[1]!.message, /GET \/admin.*API key/);
    assert.deepEqual(summary.inputs.routes, 7);
    assert.equal(findings[0]?.location?.line, 219);
  });

  it('reads the empty REST API Policy that Serverless Framework writes as no policy, and a real one as a policy', async () => {
    const template = (policy: unknown): string =>
      JSON.stringify({ Resources: { Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'x', Policy: policy } } } });
    const empty = await runAudit(readTemplateText('empty.json', template('')));
    assert.deepEqual(empty.findings, []);
    const open = await runAudit(
      readTemplateText(
        'open.json',
        template({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: '*' }] }),
      ),
    );
    assert.deepEqual(
      open.findings.map((f) => f.kind),
      ['public-principal'],
    );
  });

  it("reads YAML short forms (!Ref, !Sub, !GetAtt, !Join) and combines a role's policies", async () => {
    const { findings } = await runAudit(await readTemplate(`${FIXTURES}/template.yaml`));
    assert.deepEqual(
      findings.map((f) => `${f.kind} ${f.resource} ${String(f.statement)} ${f.location?.line}`),
      [
        'public-principal DeployRole 0 14',
        'public-principal EventsQueuePolicy Anyone 78',
        'passrole-star DeployRole#${AWS::StackName}-deploy PassAnyRole 26',
        'privilege-escalation DeployRole 0 44',
        'route-without-authorizer CatchAllRoute undefined 108',
        'wildcard-resource-sensitive InvokeFunctions 0 54',
      ],
    );
  });

  it('accepts the JWKS route by default and more public routes on request', async () => {
    const input = await readTemplate(`${FIXTURES}/serverless-template.json`);
    const { findings } = await runAudit(input, { publicRoutes: ['GET /health', 'ANY /admin'] });
    assert.ok(!findings.some((f) => f.kind === 'route-without-authorizer'));
  });

  it('rejects text that is not a template', async () => {
    assert.throws(
      () => readTemplateText('x.yaml', 'a: [1'),
      (err: unknown) => err instanceof MeshgateError && err.code === 'audit_input_invalid',
    );
    assert.throws(() => readTemplateText('x.json', '{"a": 1}'), /no Resources/);
  });

  it('reads the same findings from the JSON template converted to YAML text', async () => {
    const json = await readFile(`${FIXTURES}/serverless-template.json`, 'utf8');
    const { stringify } = await import('yaml');
    const yaml = readTemplateText('t.yaml', stringify(JSON.parse(json)));
    assert.equal((await runAudit(yaml)).findings.length, 4);
  });
});
