// secret-rotation-disabled and the meshgate:public=true tag: a secret holding public data only (the public JWKS) is not a finding.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeSecretCommand, GetResourcePolicyCommand, ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { runAudit } from '../../src/audit/engine';
import { readTemplateText } from '../../src/audit/inputs/cloudformation';
import { readLiveSecrets } from '../../src/audit/live/secrets';

const secret = (name: string, tags?: unknown) => ({
  Type: 'AWS::SecretsManager::Secret',
  Properties: { Name: name, ...(tags === undefined ? {} : { Tags: tags }) },
});
const disabled = async (text: string, file = 'template.json') =>
  (await runAudit(readTemplateText(file, text))).findings.filter((f) => f.kind === 'secret-rotation-disabled').map((f) => f.resource);

describe('Rule: secret-rotation-disabled with meshgate:public=true', () => {
  it('skips a template secret tagged meshgate:public=true, and only with that exact key and value', async () => {
    const template = JSON.stringify({
      Resources: {
        PublicJwksSecret: secret('meshgate/dev/public-jwks', [{ Key: 'meshgate:public', Value: 'true' }]),
        NotPublic: secret('a', [{ Key: 'meshgate:public', Value: 'false' }]),
        Prefixed: secret('b', [{ Key: 'meshgate:public-x', Value: 'true' }]),
        CaseDiffers: secret('c', [{ Key: 'Meshgate:Public', Value: 'TRUE' }]),
        Untagged: secret('d'),
      },
    });
    assert.deepEqual((await disabled(template)).sort(), ['CaseDiffers', 'NotPublic', 'Prefixed', 'Untagged']);
  });

  it('reads the tag from YAML and from a live DescribeSecret answer', async () => {
    const yaml =
      "Resources:\n  PublicJwksSecret:\n    Type: AWS::SecretsManager::Secret\n    Properties:\n      Name: !Sub meshgate/${AWS::StackName}/public-jwks\n      Tags:\n        - Key: meshgate:public\n          Value: 'true'\n";
    assert.deepEqual(await disabled(yaml, 'template.yaml'), []);
    assert.deepEqual(await disabled(yaml.replace("'true'", "'no'"), 'template.yaml'), ['PublicJwksSecret']);

    const sm = mockClient(SecretsManagerClient);
    try {
      sm.on(ListSecretsCommand).resolves({ SecretList: [{ ARN: 'arn:s:public' }, { ARN: 'arn:s:plain' }] });
      sm.on(DescribeSecretCommand, { SecretId: 'arn:s:public' })
        .resolves({ Name: 'public', RotationEnabled: false, Tags: [{ Key: 'meshgate:public', Value: 'true' }] })
        .on(DescribeSecretCommand, { SecretId: 'arn:s:plain' })
        .resolves({ Name: 'plain', RotationEnabled: false, Tags: [{ Key: 'meshgate:managed', Value: 'true' }] });
      sm.on(GetResourcePolicyCommand).resolves({});
      const input = await readLiveSecrets(new SecretsManagerClient({ region: 'eu-west-1' }), new Date());
      const { findings } = await runAudit(input);
      assert.deepEqual(
        findings.map((f) => `${f.kind} ${f.resource}`),
        ['secret-rotation-disabled arn:s:plain'],
      );
    } finally {
      sm.restore();
    }
  });
});
