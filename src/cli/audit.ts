// `meshgate audit`: reads the inputs, runs the rules engine, prints the report and exits by --fail-on.
import { stat, writeFile } from 'node:fs/promises';
import { version } from '../../package.json';
import { applyBaseline, createBaseline, readBaseline, writeBaseline } from '../audit/baseline';
import { AUDIT_USAGE, parseAuditArgs, UsageError, type AuditCliOptions } from '../audit/cli-options';
import { runAudit, type AuditResult } from '../audit/engine';
import { readTemplate } from '../audit/inputs/cloudformation';
import { readPolicyFiles } from '../audit/inputs/policy-files';
import { readServiceRolesFile } from '../audit/inputs/route-config';
import { renderJson } from '../audit/report/json';
import { renderSarif } from '../audit/report/sarif';
import { renderTable } from '../audit/report/table';
import { readSuppressions } from '../audit/suppressions-file';
import { mergeInputs, severityRank, type AuditInput } from '../audit/types';
import { isMeshgateError, MeshgateError } from '../errors';
import type { Command } from './main';

async function readInputs(options: AuditCliOptions): Promise<AuditInput> {
  const inputs: AuditInput[] = [];
  if (options.policies.length > 0) inputs.push(await readPolicyFiles(options.policies));
  for (const template of options.templates) inputs.push(await readTemplate(template));
  if (options.routes !== undefined) inputs.push(await readServiceRolesFile(options.routes));
  if (options.live) {
    // Loaded only here: the SDK clients are not needed to audit files. `require`, not `import()`: the bin runs these
    // sources through tsx's CommonJS hook, and a native import() of '../audit/live' is an ESM directory import (it
    // names both live.ts and live/), which Node refuses.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
    const { readLiveInputs } = require('../audit/live') as typeof import('../audit/live');
    try {
      // A large account takes a while: say how far the secret reads have come (every 100, from 100 secrets on).
      const onProgress = ({ done, total }: { done: number; total: number }) =>
        console.error(`meshgate audit: live: read ${done}/${total} secrets`);
      inputs.push(await readLiveInputs(undefined, { onProgress }));
    } catch (err) {
      throw new MeshgateError('audit_input_invalid', `cannot read the live account: ${(err as Error).message}`, { cause: err });
    }
  }
  return mergeInputs(...inputs);
}

function render(result: AuditResult, options: AuditCliOptions): string {
  if (options.format === 'json') return renderJson(result);
  if (options.format === 'sarif') return renderSarif(result, { version, root: options.sarifRoot });
  return renderTable(result);
}

function exitCode(result: AuditResult, failOn: AuditCliOptions['failOn']): number {
  if (failOn === 'none') return 0;
  return result.findings.some((f) => severityRank(f.severity) >= severityRank(failOn)) ? 1 : 0;
}

/** A mistyped --sarif-root would silently turn every path absolute: refuse it before reading anything. */
async function checkSarifRoot(options: AuditCliOptions): Promise<void> {
  if (options.format !== 'sarif') return;
  const info = await stat(options.sarifRoot).catch(() => undefined);
  if (!info?.isDirectory()) throw new MeshgateError('audit_input_invalid', `--sarif-root ${options.sarifRoot} is not a folder`);
}

async function audit(options: AuditCliOptions): Promise<number> {
  await checkSarifRoot(options);
  const input = await readInputs(options);
  console.error(
    `meshgate audit: read ${input.documents.length} policy document(s), ${input.routes.length} route(s), ${input.secrets.length} secret(s) from ${input.sources.length} source(s)`,
  );
  const suppressions = options.suppressions ? await readSuppressions(options.suppressions) : undefined;
  let result = await runAudit(input, { publicRoutes: options.publicRoutes, rotationGraceDays: options.rotationGraceDays, suppressions });
  if (options.writeBaseline) {
    await writeBaseline(options.writeBaseline, createBaseline(result, input));
    console.error(`meshgate audit: wrote baseline ${options.writeBaseline} with ${result.findings.length} accepted finding(s)`);
  }
  if (options.baseline) result = applyBaseline(result, input, await readBaseline(options.baseline), options.baseline);
  const report = render(result, options);
  if (options.output) await writeFile(options.output, report);
  else process.stdout.write(report);
  const { bySeverity, total, suppressions: applied } = result.summary;
  const suppressedNote = applied
    ? `; ${applied.suppressed} suppressed, ${applied.expired} expired and ${applied.stale.length} stale suppression(s)`
    : '';
  console.error(
    `meshgate audit: ${total} finding(s): ${bySeverity.critical} critical, ${bySeverity.high} high, ${bySeverity.medium} medium, ${bySeverity.low} low${suppressedNote}`,
  );
  return options.writeBaseline ? 0 : exitCode(result, options.failOn);
}

export const command: Command = {
  summary: 'audit IAM policies, templates and the live account',
  async run(argv) {
    try {
      const options = parseAuditArgs(argv);
      if (options.help) {
        console.log(AUDIT_USAGE);
        return 0;
      }
      return await audit(options);
    } catch (err) {
      if (err instanceof UsageError) {
        console.error(`meshgate audit: ${err.message}\n\n${AUDIT_USAGE}`);
        return 2;
      }
      if (isMeshgateError(err) && err.code === 'audit_input_invalid') {
        console.error(`meshgate audit: ${err.message}`);
        return 2;
      }
      throw err;
    }
  },
};
