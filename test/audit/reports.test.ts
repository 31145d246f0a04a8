// Reports: SARIF validated against the SARIF 2.1.0 JSON schema, JSON shape, table; baselines.
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { applyBaseline, createBaseline, readBaseline, writeBaseline } from '../../src/audit/baseline';
import { runAudit } from '../../src/audit/engine';
import { readTemplate } from '../../src/audit/inputs/cloudformation';
import { readPolicyFiles } from '../../src/audit/inputs/policy-files';
import { renderJson } from '../../src/audit/report/json';
import { renderSarif } from '../../src/audit/report/sarif';
import { renderTable } from '../../src/audit/report/table';
import { docInput, FIXTURES, policy, sarifValidator } from './support';

describe('Report: SARIF', () => {
  it('is valid SARIF 2.1.0 with rules, levels, security-severity and statement lines', async () => {
    const input = await readPolicyFiles([`${FIXTURES}/policies`, `${FIXTURES}/account-authorization-details.json`]);
    const result = await runAudit(input);
    const sarif = JSON.parse(renderSarif(result, { version: '0.1.0' }));
    const validate = await sarifValidator();
    assert.equal(validate(sarif), true);
    assert.equal(validate({ ...sarif, runs: [{ results: [] }] }), false, 'the schema must reject a run without a tool');
    const run = sarif.runs[0];
    const rule = run.tool.driver.rules.find((r: { id: string }) => r.id === 'public-principal');
    assert.equal(rule.properties['security-severity'], '9.5');
    assert.ok(rule.help.text.length > 20);
    const pub = run.results.find((r: { ruleId: string }) => r.ruleId === 'public-principal');
    assert.equal(pub.level, 'error');
    assert.deepEqual(pub.locations[0].physicalLocation.artifactLocation, {
      uri: 'test/audit/fixtures/policies/bucket-policy-cli.json',
      uriBaseId: '%SRCROOT%',
    });
    const medium = run.results.find((r: { ruleId: string }) => r.ruleId === 'malformed');
    assert.equal(medium.level, 'warning');
    const kms = run.results.find((r: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) =>
      r.locations[0]!.physicalLocation.artifactLocation.uri.endsWith('kms-key-policy.json'),
    );
    assert.equal(kms.locations[0].physicalLocation.region.startLine, 4);
  });

  it('maps low to note and stays valid for findings without a file (live account)', async () => {
    const result = await runAudit(docInput(policy({ Effect: 'Allow', Action: 's3:GetObjekt', Resource: 'arn:aws:s3:::b/*' })));
    const sarif = JSON.parse(renderSarif(result));
    assert.equal(sarif.runs[0].results[0].level, 'note');
    assert.equal((await sarifValidator())(sarif), true);
  });
});

describe('Report: SARIF paths (--sarif-root)', () => {
  type Located = { locations: { physicalLocation?: { artifactLocation: { uri: string; uriBaseId?: string } } }[] };
  const locationsOf = (sarif: { runs: { results: Located[] }[] }) =>
    sarif.runs[0]!.results.map((r) => r.locations[0]!.physicalLocation!.artifactLocation);

  /** A policy with a public principal, copied to `<dir>/<name>` so its path is outside the working directory. */
  async function policyOutsideCwd(name: string): Promise<{ dir: string; file: string }> {
    const dir = await mkdtemp(join(tmpdir(), 'meshgate-sarif-'));
    const file = join(dir, name);
    await mkdir(join(dir, 'policies'), { recursive: true });
    await copyFile(`${FIXTURES}/policies/bucket-policy-cli.json`, file);
    return { dir, file };
  }

  it('a file under the root is relative to %SRCROOT%, whose base is the root as a file:// URI ending in a slash', async () => {
    const { dir, file } = await policyOutsideCwd('policies/bucket policy #1.json');
    const sarif = JSON.parse(renderSarif(await runAudit(await readPolicyFiles([file])), { root: dir }));
    assert.equal((await sarifValidator())(sarif), true);
    assert.deepEqual(sarif.runs[0].originalUriBaseIds, { '%SRCROOT%': { uri: `${pathToFileURL(dir).href}/` } });
    assert.match(sarif.runs[0].originalUriBaseIds['%SRCROOT%'].uri, /^file:\/\/\/.+\/$/);
    const locations = locationsOf(sarif);
    assert.ok(locations.length > 0);
    for (const location of locations) assert.deepEqual(location, { uri: 'policies/bucket%20policy%20%231.json', uriBaseId: '%SRCROOT%' });
  });

  it('a file outside the root is an absolute, encoded file:// URI without uriBaseId (default root: the working directory)', async () => {
    const { file } = await policyOutsideCwd('bucket policy #1.json');
    const sarif = JSON.parse(renderSarif(await runAudit(await readPolicyFiles([file]))));
    assert.equal((await sarifValidator())(sarif), true);
    assert.equal(sarif.runs[0].originalUriBaseIds['%SRCROOT%'].uri, `${pathToFileURL(process.cwd()).href}/`);
    const uri = pathToFileURL(file).href;
    assert.match(uri, /^file:\/\/\/.*\/bucket%20policy%20%231\.json$/);
    for (const location of locationsOf(sarif)) assert.deepEqual(location, { uri });
  });

  it('a relative input path is resolved from the working directory, not from the root', async () => {
    const sarif = JSON.parse(
      renderSarif(await runAudit(await readPolicyFiles([`${FIXTURES}/policies/bucket-policy-cli.json`])), { root: resolve('test') }),
    );
    for (const location of locationsOf(sarif)) {
      assert.deepEqual(location, { uri: 'audit/fixtures/policies/bucket-policy-cli.json', uriBaseId: '%SRCROOT%' });
    }
  });
});

describe('Report: JSON and table', () => {
  it('JSON holds findings and a summary with counts and inputs', async () => {
    const result = await runAudit(await readTemplate(`${FIXTURES}/serverless-template.json`));
    const json = JSON.parse(renderJson(result));
    assert.equal(json.findings.length, 4);
    assert.deepEqual(json.summary.bySeverity, { critical: 1, high: 2, medium: 1, low: 0 });
    assert.deepEqual(json.summary.byKind, { 'public-principal': 1, 'route-without-authorizer': 2, 'secret-rotation-disabled': 1 });
    assert.deepEqual(json.summary.inputs.sources, [`${FIXTURES}/serverless-template.json`]);
  });

  it('table names severity, kind, resource and location', async () => {
    const text = renderTable(await runAudit(await readTemplate(`${FIXTURES}/serverless-template.json`)));
    assert.match(
      text,
      /^CRITICAL {2}public-principal {2}AuthorizerLambdaPermissionApiGateway statement 0 \(test\/audit\/fixtures\/serverless-template.json:219\)$/m,
    );
    assert.match(text, /4 finding\(s\): 1 critical, 2 high, 1 medium, 0 low/);
  });
});

describe('Baseline', () => {
  it('accepts known findings, flags new ones and reports changed or added documents', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshgate-baseline-'));
    const before = docInput(policy({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b' }));
    const file = join(dir, 'baseline.json');
    await writeBaseline(file, createBaseline(await runAudit(before), before));

    const same = applyBaseline(await runAudit(before), before, await readBaseline(file), file);
    assert.deepEqual(same.findings, []);
    assert.deepEqual(same.summary.baseline, { file, accepted: 1, new: 0 });

    const after = docInput(
      policy({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b' }, { Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' }),
    );
    after.documents.push({
      id: 'added.json',
      resource: 'added.json',
      policyKind: 'identity',
      document: policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }),
    });
    const drift = applyBaseline(await runAudit(after), after, await readBaseline(file), file);
    assert.deepEqual(
      drift.findings.map((f) => `${f.kind} ${f.severity} ${f.resource} ${f.baselineState ?? '-'}`),
      ['passrole-star high policy.json new', 'baseline-drift medium policy.json -', 'baseline-drift low added.json -'],
    );
  });

  it('rejects a file that is not a baseline', async () => {
    await assert.rejects(readBaseline(`${FIXTURES}/serverless-template.json`), /not a meshgate audit baseline/);
  });
});
