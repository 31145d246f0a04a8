// Grammar helpers that the data cases reach only indirectly: ARN splitting around policy variables and placeholders.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseArn } from '../../src/audit/policy/grammar/arn';
import { arnFormatProblem } from '../../src/audit/policy/grammar/arn-formats';

describe('Function: parseArn', () => {
  it('keeps colons inside ${...} within their field', () => {
    assert.deepEqual(parseArn('arn:${AWS::Partition}:s3:::${Bucket}/${aws:username}/*'), {
      partition: '${AWS::Partition}',
      service: 's3',
      region: '',
      account: '',
      resource: '${Bucket}/${aws:username}/*',
    });
  });

  it('keeps colons of the resource part in the resource part', () => {
    assert.equal((parseArn('arn:aws:lambda:eu-west-1:123456789012:function:f:live') as { resource: string }).resource, 'function:f:live');
  });

  it('counts the fields of what is not an ARN', () => {
    assert.deepEqual(parseArn('arn:aws:s3:bucket/key'), { fieldCount: 4 });
    assert.deepEqual(parseArn('s3'), { fieldCount: 1 });
  });
});

describe('Function: arnFormatProblem', () => {
  it('judges a wildcard resource part by every format it may name', async () => {
    // `acc*` may be an access point, which carries a Region; `my*` can only be a bucket, which does not.
    assert.equal(await arnFormatProblem('arn:aws:s3:eu-west-1:123456789012:acc*'), undefined);
    assert.match((await arnFormatProblem('arn:aws:s3:eu-west-1:123456789012:my*')) ?? '', /take no Region/);
  });

  it('does not judge services the catalogue does not know', async () => {
    assert.equal(await arnFormatProblem('arn:aws:nosuchservice:eu-west-1:123456789012:thing/x'), undefined);
  });
});
