// The template `npx serverless package --stage prod` writes with the required params: cfn-lint finds no error and no warning but the listed ones, and
// meshgate's own audit (as `npm run audit:deploy` runs it) finds nothing at --fail-on medium. Once with the params at
// their defaults and once per optional feature switched on (customer-managed KMS key given or created, alarm topic):
// the switches are Conditions on parameters whose defaults are the params, and cfn-lint resolves those defaults.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireServerlessLock } from '../e2e/support/serverless-lock';
import { GOOD_PARAMS, paramArgs, runServerless } from '../support/serverless-package';

/**
 * cfn-lint warnings accepted, each with the reason. Anything else fails the suite.
 * - W3005 (DependsOn already enforced by a Ref/GetAtt): Serverless Framework v3 writes these DependsOn entries on the
 *   functions and API Gateway methods it generates; they are redundant, not wrong, and not ours to edit.
 */
const ACCEPTED_WARNINGS: Record<string, string> = {
  W3005: 'framework-generated DependsOn (Serverless Framework v3) on generated functions and methods',
};

interface LintMatch {
  Rule: { Id: string };
  Level: 'Error' | 'Warning' | 'Informational';
  Message: string;
  Location: { Path: (string | number)[] };
}

function exec(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: 300_000, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({
        code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null) : 0,
        stdout,
        stderr,
      });
    });
  });
}

type Template = {
  Parameters?: Record<string, { Default?: string }>;
  Resources: Record<string, { Type: string; DeletionPolicy?: string; UpdateReplacePolicy?: string; Properties: Record<string, unknown> }>;
};

const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:meshgate-alarms';

/** Each state: the `--param` values given to `serverless package`, and the template parameter defaults they must become. */
const STATES: { name: string; params: Record<string, string>; defaults: Record<string, string> }[] = [
  {
    name: 'params at their defaults',
    params: {},
    defaults: { SigningKeyKmsKeyArn: '', SigningKeyKmsKeyCreate: 'false', AlarmTopicArn: '' },
  },
  {
    name: 'signingKeyKmsKeyArn and alarmTopicArn set',
    params: { signingKeyKmsKeyArn: KEY_ARN, alarmTopicArn: TOPIC_ARN },
    defaults: { SigningKeyKmsKeyArn: KEY_ARN, SigningKeyKmsKeyCreate: 'false', AlarmTopicArn: TOPIC_ARN },
  },
  {
    name: 'signingKeyKmsKeyCreate=true and alarmTopicArn set',
    params: { signingKeyKmsKeyCreate: 'true', alarmTopicArn: TOPIC_ARN },
    defaults: { SigningKeyKmsKeyArn: '', SigningKeyKmsKeyCreate: 'true', AlarmTopicArn: TOPIC_ARN },
  },
];

const describeMatch = (m: LintMatch) => `${m.Rule.Id} ${m.Location.Path.join('/')}: ${m.Message}`;

for (const state of STATES) {
  describe(`npx serverless package --stage prod, ${state.name}`, () => {
    let outDir: string;
    let templatePath: string;
    let template: Template;
    let lint: LintMatch[];

    before(
      async () => {
        outDir = await mkdtemp(join(tmpdir(), 'meshgate-aws-package-'));
        const release = await acquireServerlessLock();
        try {
          const pkg = await runServerless([
            'package',
            '--stage',
            'prod',
            ...paramArgs({ ...GOOD_PARAMS, ...state.params }),
            '--package',
            outDir,
          ]);
          assert.equal(pkg.code, 0, `serverless package failed:\n${pkg.output}`);
        } finally {
          await release();
        }
        templatePath = join(outDir, 'cloudformation-template-update-stack.json');
        template = JSON.parse(await readFile(templatePath, 'utf8')) as Template;
        // Informational checks too (I3011 is the one about DeletionPolicy); exit codes are bit flags, the JSON is the answer.
        const run = await exec('cfn-lint', ['--format', 'json', '--include-checks', 'I', '--', templatePath], process.env);
        assert.ok(run.stdout.trim().startsWith('['), `cfn-lint did not run (test:aws needs cfn-lint 1.x on PATH):\n${run.stderr}`);
        lint = JSON.parse(run.stdout) as LintMatch[];
      },
      { timeout: 360_000 },
    );

    after(async () => {
      if (outDir) await rm(outDir, { recursive: true, force: true });
    });

    it('passes the params to the template as the defaults of the parameters its Conditions read', () => {
      const defaults = Object.fromEntries(Object.keys(state.defaults).map((name) => [name, template.Parameters?.[name]?.Default]));
      assert.deepEqual(defaults, state.defaults);
    });

    describe('cfn-lint', () => {
      it('reports no error', () => {
        assert.deepEqual(lint.filter((m) => m.Level === 'Error').map(describeMatch), []);
      });

      it(`reports no warning but the accepted ones (${Object.keys(ACCEPTED_WARNINGS).join(', ')}), each with its reason`, () => {
        const unexpected = lint.filter((m) => m.Level === 'Warning' && !(m.Rule.Id in ACCEPTED_WARNINGS));
        assert.deepEqual(unexpected.map(describeMatch), []);
      });

      it('names no meshgate resource in an I3011 (stateful resource without DeletionPolicy/UpdateReplacePolicy)', () => {
        const ours = Object.keys(template.Resources).filter((id) =>
          ['AWS::SecretsManager::Secret', 'AWS::KMS::Key'].includes(template.Resources[id]!.Type),
        );
        const i3011 = lint.filter((m) => m.Rule.Id === 'I3011').map((m) => String(m.Location.Path[1]));
        assert.deepEqual(
          i3011.filter((id) => ours.includes(id)),
          [],
        );
      });
    });

    describe("meshgate's own audit (npm run audit:deploy)", () => {
      it('npx meshgate audit --template <package output> --fail-on medium: exit 0, no finding', async () => {
        const r = await exec(
          'npx',
          ['--no-install', 'meshgate', 'audit', '--template', templatePath, '--fail-on', 'medium', '--format', 'json'],
          process.env,
        );
        assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
        assert.deepEqual((JSON.parse(r.stdout) as { findings: unknown[] }).findings, []);
      });

      it('keeps the signing key secret, and its KMS key, on stack delete and replacement', () => {
        for (const id of ['SigningKeySecret', 'SigningKeyKmsKey']) {
          const resource = template.Resources[id]!;
          assert.equal(resource.DeletionPolicy, 'Retain', id);
          assert.equal(resource.UpdateReplacePolicy, 'Retain', id);
        }
      });
    });
  });
}
