// The live audit's partition: from the account's own ARNs, else from the Region.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { partitionOf } from '../../src/audit/live/partition';
import { emptyInput, type AuditInput } from '../../src/audit/types';

function withRole(arn: string): AuditInput {
  const input = emptyInput();
  input.documents.push({ id: `${arn}#p`, resource: arn, policyKind: 'identity', document: {} });
  return input;
}

function withSecret(arn: string): AuditInput {
  const input = emptyInput();
  input.secrets.push({ name: 's', resource: arn, rotationEnabled: true });
  return input;
}

describe('Function: partitionOf', () => {
  it("takes the partition of the account's own ARNs, whatever the Region says", () => {
    assert.equal(partitionOf([withRole('arn:aws-us-gov:iam::123456789012:role/app')], 'us-gov-west-1'), 'aws-us-gov');
    assert.equal(
      partitionOf([emptyInput(), withSecret('arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:s-AbCdEf')], 'cn-north-1'),
      'aws-cn',
    );
    assert.equal(partitionOf([withRole('arn:aws:iam::123456789012:role/app')], 'eu-west-1'), 'aws');
    assert.equal(partitionOf([withRole('arn:aws-iso-b:iam::123456789012:role/app')], 'us-isob-east-1'), 'aws-iso-b');
  });

  it('falls back to the Region when the account has no ARN to read', () => {
    assert.equal(partitionOf([emptyInput()], 'cn-northwest-1'), 'aws-cn');
    assert.equal(partitionOf([], 'us-gov-east-1'), 'aws-us-gov');
    assert.equal(partitionOf([], 'us-iso-east-1'), 'aws-iso');
    assert.equal(partitionOf([], 'eu-west-1'), 'aws');
    assert.equal(partitionOf([], 'eusc-de-east-1'), 'aws-eusc');
    assert.equal(partitionOf([], 'us-isob-east-1'), 'aws-iso-b');
  });

  it('ignores resources that are not ARNs (file paths, logical ids)', () => {
    assert.equal(partitionOf([withRole('policies/app.json'), withRole('arn:aws-cn:iam::1:role/x')], 'eu-west-1'), 'aws-cn');
  });
});
