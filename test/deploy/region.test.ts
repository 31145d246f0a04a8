// Which Region a stage deploys to: --region, then the AWS environment, then the profile's region, then the default.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_REGION, profileRegion, resolveRegion } from '../../src/deploy/region';

const CONFIG = {
  path: '/home/ops/.aws/config',
  text: '[default]\nregion = eu-central-1\n\n# ops account\n[profile ops]\noutput = json\nregion=us-east-2 ; comment\n[sso-session x]\nregion = ap-south-1\n',
};

describe('Function: resolveRegion', () => {
  it('takes --region first, whatever the environment and profile say', () => {
    assert.deepEqual(resolveRegion({ option: 'ca-central-1', env: { AWS_REGION: 'us-east-1' }, configFile: CONFIG }), {
      region: 'ca-central-1',
      source: '--region',
    });
  });

  it('then AWS_REGION, then AWS_DEFAULT_REGION', () => {
    assert.deepEqual(resolveRegion({ env: { AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'us-east-1' }, configFile: CONFIG }), {
      region: 'us-west-2',
      source: 'AWS_REGION',
    });
    assert.deepEqual(resolveRegion({ env: { AWS_DEFAULT_REGION: 'us-east-1' }, configFile: CONFIG }), {
      region: 'us-east-1',
      source: 'AWS_DEFAULT_REGION',
    });
  });

  it('then the region of the active profile in the AWS config file: --aws-profile, AWS_PROFILE, else default', () => {
    assert.deepEqual(resolveRegion({ env: {}, configFile: CONFIG }), {
      region: 'eu-central-1',
      source: 'profile default in /home/ops/.aws/config',
    });
    assert.equal(resolveRegion({ env: { AWS_PROFILE: 'ops' }, configFile: CONFIG }).region, 'us-east-2');
    assert.equal(resolveRegion({ env: { AWS_PROFILE: 'default' }, profileOption: 'ops', configFile: CONFIG }).region, 'us-east-2');
  });

  it('then the documented default, saying so', () => {
    assert.deepEqual(resolveRegion({ env: {} }), { region: DEFAULT_REGION, source: 'default' });
    assert.deepEqual(resolveRegion({ env: { AWS_PROFILE: 'nobody' }, configFile: CONFIG }), { region: DEFAULT_REGION, source: 'default' });
    assert.deepEqual(resolveRegion({ env: { AWS_REGION: '' }, option: '' }), { region: DEFAULT_REGION, source: 'default' });
  });

  it('refuses a value that is not a Region name, naming where it came from', () => {
    assert.throws(
      () => resolveRegion({ env: { AWS_REGION: 'Ireland' } }),
      /region "Ireland" \(from AWS_REGION\) is not an AWS Region name/,
    );
    assert.throws(() => resolveRegion({ option: 'eu-west-1; rm -rf /', env: {} }), /from --region/);
  });
});

describe('Function: profileRegion', () => {
  it('reads [default] and [profile name] sections only, ignoring comments and other section kinds', () => {
    assert.equal(profileRegion(CONFIG.text, 'default'), 'eu-central-1');
    assert.equal(profileRegion(CONFIG.text, 'ops'), 'us-east-2');
    assert.equal(profileRegion(CONFIG.text, 'x'), undefined);
    assert.equal(profileRegion('[profile default]\r\nregion = sa-east-1\r\n', 'default'), 'sa-east-1');
  });
});
