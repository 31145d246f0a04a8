// Rules over IAM policy documents: wildcard-action, wildcard-resource-sensitive, passrole-star, NotAction/NotResource, unknown-action.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DATA_READ_GROUPS } from '../../src/audit/data-reads';
import { expandAction } from '../../src/audit/iam-catalogue';
import { allow, deny, findingsOf, policy } from './support';

describe('Rule: wildcard-action', () => {
  it('reports Action "*" as critical and a whole service as high', async () => {
    const found = await findingsOf('wildcard-action', policy(allow('*'), allow('s3:*', 'arn:aws:s3:::bucket/*')));
    assert.deepEqual(
      found.map((f) => [f.actions?.sample, f.severity]),
      [
        [['*'], 'critical'],
        [['s3:*'], 'high'],
      ],
    );
    assert.equal(found[0]!.statement, 0);
  });

  it('reports once per statement, listing every wildcard element', async () => {
    const [finding, ...rest] = await findingsOf('wildcard-action', policy(allow(['dynamodb:*', 'dax:*', 's3:GetObject'])));
    assert.deepEqual(rest, []);
    assert.deepEqual(finding?.actions, { count: 2, sample: ['dynamodb:*', 'dax:*'] });
    assert.equal(finding.action, undefined);
  });

  it('does not report a partial wildcard or a Deny', async () => {
    assert.deepEqual(await findingsOf('wildcard-action', policy(allow('s3:Get*', 'arn:aws:s3:::b/*'), deny('*'))), []);
  });

  it('is removed by an unconditional Deny that covers the same ground', async () => {
    const found = await findingsOf('wildcard-action', policy(allow('s3:*', 'arn:aws:s3:::b/*'), deny('s3:*', '*')));
    assert.deepEqual(found, []);
  });

  it('stays when the Deny is conditional or narrower', async () => {
    const doc = policy(
      allow('s3:*'),
      deny('s3:Delete*'),
      deny('s3:*', '*', { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } }),
    );
    assert.equal((await findingsOf('wildcard-action', doc)).length, 1);
  });

  it('matches case-insensitively', async () => {
    assert.equal((await findingsOf('wildcard-action', policy(allow('S3:*', 'arn:aws:s3:::b')))).length, 1);
  });
});

describe('Rule: wildcard-resource-sensitive', () => {
  it('reports data and secret actions on Resource "*" once per statement, writes before data reads (kms:Decrypt is one)', async () => {
    const doc = policy(allow(['secretsmanager:GetSecretValue', 'kms:Decrypt', 's3:GetObject', 's3:DeleteObject', 'dynamodb:PutItem']));
    const found = await findingsOf('wildcard-resource-sensitive', doc);
    assert.deepEqual(
      found.map((f) => [f.resourceArn, f.severity, f.actions]),
      [
        [
          '*',
          'medium',
          {
            count: 5,
            sample: ['dynamodb:PutItem', 's3:DeleteObject', 'kms:Decrypt', 's3:GetObject', 'secretsmanager:GetSecretValue'],
            levels: { Write: 2, 'Data read': 3 },
          },
        ],
      ],
    );
    assert.match(found[0]!.message, /^5 actions incl\. dynamodb:PutItem, s3:DeleteObject, kms:Decrypt, .* \(2 write, 3 data read\)/);
  });

  it('rates data reads medium and metadata reads alone low, counting each tier and sampling data reads first', async () => {
    const [data] = await findingsOf('wildcard-resource-sensitive', policy(allow(['s3:GetObject', 'dynamodb:GetItem'])));
    assert.deepEqual([data?.severity, data?.actions?.levels], ['medium', { 'Data read': 2 }]);
    const [metadata] = await findingsOf(
      'wildcard-resource-sensitive',
      policy(allow(['iam:GetRole', 's3:GetBucketPolicy', 'kms:DescribeKey'])),
    );
    assert.deepEqual([metadata?.severity, metadata?.actions?.levels], ['low', { 'Metadata read': 3 }]);
    const [mixed] = await findingsOf('wildcard-resource-sensitive', policy(allow(['iam:GetRole', 's3:GetObjectAcl', 'ssm:GetParameter'])));
    assert.deepEqual(
      [mixed?.severity, mixed?.actions?.sample, mixed?.actions?.levels],
      ['medium', ['ssm:GetParameter', 'iam:GetRole', 's3:GetObjectAcl'], { 'Data read': 1, 'Metadata read': 2 }],
    );
  });

  it('names only catalogue actions in its data-read list, each a read or kms:Decrypt', async () => {
    const unknown: string[] = [];
    for (const name of DATA_READ_GROUPS.flatMap((g) => g.actions)) {
      const expansion = await expandAction(name);
      const action = expansion.status === 'ok' ? expansion.actions.find((a) => a.name === name) : undefined;
      if (!action || !(action.accessLevels.includes('Read') || name === 'kms:Decrypt')) unknown.push(name);
    }
    assert.deepEqual(unknown, []);
  });

  it('does not report actions that only work on "*"', async () => {
    const doc = policy(
      allow([
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
        'cloudwatch:PutMetricData',
        'ec2:Describe*',
        'sts:GetCallerIdentity',
        's3:ListAllMyBuckets',
      ]),
    );
    assert.deepEqual(await findingsOf('wildcard-resource-sensitive', doc), []);
  });

  it('does not report scoped resources', async () => {
    assert.deepEqual(await findingsOf('wildcard-resource-sensitive', policy(allow('s3:GetObject', 'arn:aws:s3:::bucket/*'))), []);
  });

  it('judges a partial wildcard by its expansion and rates permissions management high', async () => {
    const [finding] = await findingsOf('wildcard-resource-sensitive', policy(allow('iam:Put*')));
    assert.equal(finding?.severity, 'high');
    assert.match(finding.message, /iam:PutRolePermissionsBoundary/);
    // iam:PutRolePolicy, PutUserPolicy and PutGroupPolicy are escalations: reported once, by privilege-escalation.
    assert.doesNotMatch(finding.message, /iam:PutRolePolicy/);
  });

  it('is not a finding in a resource policy, where "*" means the resource itself', async () => {
    const doc = policy(allow('secretsmanager:GetSecretValue', '*', { Principal: { AWS: 'arn:aws:iam::123456789012:role/app' } }));
    assert.deepEqual(await findingsOf('wildcard-resource-sensitive', doc, 'resource'), []);
  });

  it('drops the actions a Deny covers', async () => {
    const doc = policy(allow(['s3:GetObject', 'kms:Decrypt']), deny('kms:*'));
    assert.deepEqual(
      (await findingsOf('wildcard-resource-sensitive', doc)).map((f) => f.actions?.sample),
      [['s3:GetObject']],
    );
  });
});

describe('Rule: passrole-star', () => {
  it('reports iam:PassRole on "*" and on every role of an account', async () => {
    const doc = policy(allow('iam:PassRole'), allow('iam:PassRole', 'arn:aws:iam::123456789012:role/*'));
    const found = await findingsOf('passrole-star', doc);
    assert.deepEqual(
      found.map((f) => [f.resourceArn, f.severity]),
      [
        ['*', 'high'],
        ['arn:aws:iam::123456789012:role/*', 'high'],
      ],
    );
  });

  it('reports iam:* and iam:Pass* as PassRole too', async () => {
    assert.equal((await findingsOf('passrole-star', policy(allow('iam:Pass*')))).length, 1);
  });

  it('does not report named roles or a role-name prefix', async () => {
    const doc = policy(allow('iam:PassRole', ['arn:aws:iam::123456789012:role/app-fn', 'arn:aws:iam::123456789012:role/meshgate-*']));
    assert.deepEqual(await findingsOf('passrole-star', doc), []);
  });

  it('rates it medium when iam:PassedToService pins the service', async () => {
    const doc = policy(allow('iam:PassRole', '*', { Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } } }));
    assert.equal((await findingsOf('passrole-star', doc))[0]?.severity, 'medium');
  });

  it('is removed by a Deny on PassRole', async () => {
    assert.deepEqual(await findingsOf('passrole-star', policy(allow('iam:*'), deny('iam:PassRole'))), []);
  });
});

describe('Rule: notaction-allow and notresource-allow', () => {
  it('reports Allow with NotAction and Allow with NotResource', async () => {
    const doc = policy(
      { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' },
      { Effect: 'Allow', Action: 's3:GetObject', NotResource: 'arn:aws:s3:::secret/*' },
    );
    assert.equal((await findingsOf('notaction-allow', doc)).length, 1);
    assert.equal((await findingsOf('notresource-allow', doc))[0]?.statement, 1);
  });

  it('does not report Deny with NotAction or NotResource', async () => {
    const doc = policy(
      { Effect: 'Deny', NotAction: 'iam:*', Resource: '*' },
      { Effect: 'Deny', Action: 's3:*', NotResource: 'arn:aws:s3:::ok/*' },
    );
    assert.deepEqual(await findingsOf('notaction-allow', doc), []);
    assert.deepEqual(await findingsOf('notresource-allow', doc), []);
  });
});

describe('Rule: unknown-action', () => {
  it('reports a misspelt action and an unknown service', async () => {
    const found = await findingsOf('unknown-action', policy(allow(['s3:GetObjekt', 'nosuchservice:Get'], 'arn:aws:s3:::b/*')));
    assert.deepEqual(
      found.map((f) => f.actions),
      [{ count: 2, sample: ['s3:GetObjekt', 'nosuchservice:Get'] }],
    );
    assert.match(found[0]!.message, /unknown service "nosuchservice"/);
  });

  it('accepts real actions in any letter case', async () => {
    assert.deepEqual(await findingsOf('unknown-action', policy(allow(['S3:getobject', 'lambda:Invoke*'], 'arn:aws:s3:::b/*'))), []);
  });
});
