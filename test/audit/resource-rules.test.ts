// Rules over resource and trust policies: public-principal and malformed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findingsOf, policy } from './support';

const open = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  Effect: 'Allow',
  Principal: '*',
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::b/*',
  ...extra,
});

describe('Rule: public-principal', () => {
  it('reports Principal "*" and {"AWS": "*"} without a condition', async () => {
    const doc = policy(open(), { ...open(), Principal: { AWS: ['arn:aws:iam::1:root', '*'] } });
    const found = await findingsOf('public-principal', doc, 'resource');
    assert.deepEqual(
      found.map((f) => [f.statement, f.severity, f.principal]),
      [
        [0, 'critical', '*'],
        [1, 'critical', '*'],
      ],
    );
  });

  for (const [name, condition] of [
    ['aws:SourceArn with ArnLike', { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:eu-west-1:1:topic' } }],
    ['aws:SourceAccount', { StringEquals: { 'aws:SourceAccount': '123456789012' } }],
    ['aws:PrincipalOrgID', { StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } }],
    ['aws:SourceVpce', { StringEquals: { 'aws:SourceVpce': 'vpce-1' } }],
    ['aws:PrincipalAccount in any letter case', { StringEquals: { 'AWS:PrincipalAccount': '123456789012' } }],
    ['sts:ExternalId', { StringEquals: { 'sts:ExternalId': 'x' } }],
  ] as const) {
    it(`accepts a principal narrowed by ${name}`, async () => {
      assert.deepEqual(await findingsOf('public-principal', policy(open({ Condition: condition })), 'resource'), []);
    });
  }

  for (const [name, condition] of [
    ['a negated operator', { StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc' } }],
    ['an IfExists operator', { StringEqualsIfExists: { 'aws:SourceAccount': '123456789012' } }],
    ['ForAllValues', { 'ForAllValues:StringEquals': { 'aws:PrincipalOrgPaths': 'o-abc/r-1/' } }],
    ['a key that does not pin the caller', { Bool: { 'aws:SecureTransport': 'true' } }],
    ['a bare "*" value', { StringLike: { 'aws:SourceArn': '*' } }],
  ] as const) {
    it(`still reports a principal "narrowed" by ${name}`, async () => {
      assert.equal((await findingsOf('public-principal', policy(open({ Condition: condition })), 'resource')).length, 1);
    });
  }

  it('accepts a public Allow fenced by a Deny for callers outside the organization', async () => {
    const fence = {
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: 'arn:aws:s3:::b/*',
      Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc' } },
    };
    assert.deepEqual(await findingsOf('public-principal', policy(open(), fence), 'resource'), []);
  });

  it('reports a public trust policy and NotPrincipal', async () => {
    const trust = policy({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' });
    assert.equal((await findingsOf('public-principal', trust, 'trust')).length, 1);
    const notPrincipal = policy({
      Effect: 'Allow',
      NotPrincipal: { AWS: 'arn:aws:iam::1:root' },
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::b/*',
    });
    assert.equal((await findingsOf('public-principal', notPrincipal, 'resource'))[0]?.principal, 'NotPrincipal');
  });

  it('does not report named principals', async () => {
    assert.deepEqual(await findingsOf('public-principal', policy(open({ Principal: { Service: 'sns.amazonaws.com' } })), 'resource'), []);
  });
});

describe('Rule: malformed', () => {
  it('accepts a missing Version and the old 2008-10-17 Version', async () => {
    assert.deepEqual(await findingsOf('malformed', { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }), []);
    assert.deepEqual(
      await findingsOf('malformed', { Version: '2008-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }),
      [],
    );
  });

  it('reports a wrong Version and still audits the statements', async () => {
    const doc = { Version: '2012-10-18', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    assert.match((await findingsOf('malformed', doc))[0]!.message, /Version "2012-10-18"/);
    assert.equal((await findingsOf('wildcard-action', doc)).length, 1);
  });

  it('reports each bad statement by Sid or index and audits the rest', async () => {
    const doc = policy(
      { Sid: 'NoEffect', Action: 's3:GetObject', Resource: '*' },
      { Effect: 'Permit', Action: 's3:GetObject', Resource: '*' },
      { Effect: 'Allow', Resource: '*' },
      { Effect: 'Allow', Action: 'GetObject', Resource: '*' },
      { Effect: 'Allow', Action: 's3:GetObject' },
      { Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b' },
    );
    const found = await findingsOf('malformed', doc);
    assert.deepEqual(found.map((f) => f.statement).sort(), [1, 2, 3, 4, 'NoEffect'].sort());
    assert.equal((await findingsOf('wildcard-action', doc)).length, 1);
  });

  it('reports a missing Statement and a document that is not an object', async () => {
    assert.match((await findingsOf('malformed', { Version: '2012-10-17' }))[0]!.message, /missing Statement/);
    assert.equal((await findingsOf('malformed', 'not a policy')).length, 1);
  });

  it('reports Principal only where the input says the document is an identity policy', async () => {
    const doc = policy({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 's3:GetObject', Resource: '*' });
    assert.match((await findingsOf('malformed', doc, 'identity'))[0]!.message, /Principal is not allowed/);
    assert.deepEqual(await findingsOf('malformed', doc, 'resource'), []);
  });
});
