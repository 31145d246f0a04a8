// Sample values for the intrinsics in a function's environment, so its loader can run at package time.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SAMPLE_REST_API_ID, sampleValue } from '../../src/deploy/template-values';

const ctx = { region: 'ap-southeast-2', refs: { ApiGatewayRestApi: SAMPLE_REST_API_ID } };

describe('Function: sampleValue', () => {
  it('evaluates Fn::Sub with pseudo parameters and resource ids, as the template derives the API URL', () => {
    const url = { 'Fn::Sub': 'https://${ApiGatewayRestApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/prod' };
    assert.equal(sampleValue(url, ctx), `https://${SAMPLE_REST_API_ID}.execute-api.ap-southeast-2.amazonaws.com/prod`);
  });

  it('evaluates the list form of Fn::Sub, Fn::Select, Fn::Split and Fn::Join, as the secret names use them', () => {
    const name = {
      'Fn::Sub': [
        'meshgate/prod/signing-keys/${StackUuid}',
        { StackUuid: { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] } },
      ],
    };
    assert.match(sampleValue(name, ctx), /^meshgate\/prod\/signing-keys\/[0-9a-f-]{36}$/);
    assert.equal(sampleValue({ 'Fn::Join': ['-', ['a', { Ref: 'AWS::Partition' }, 'b']] }, ctx), 'a-aws-b');
  });

  it('samples a Ref to any other resource as a non-empty id, and leaves plain values as CloudFormation writes them', () => {
    assert.equal(sampleValue({ Ref: 'SigningKeySecret' }, ctx), 'SigningKeySecret-sample');
    assert.equal(sampleValue(60, ctx), '60');
    assert.equal(sampleValue('x', ctx), 'x');
  });

  it('refuses an intrinsic it cannot evaluate, naming it', () => {
    assert.throws(() => sampleValue({ 'Fn::ImportValue': 'shared-api-url' }, ctx), /cannot evaluate Fn::ImportValue at package time/);
  });
});
