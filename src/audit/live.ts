// The live audit: reads IAM, API Gateway (REST and HTTP) and Secrets Manager through SDK v3, then runs the engine.
import { runAudit, type AuditOptions, type AuditResult } from './engine';
import { readLiveHttpApis, readLiveRestApis } from './live/apis';
import { createLiveClients, type CallOptions, type LiveClients } from './live/aws-calls';
import { readLiveIam } from './live/iam';
import { readLiveSecrets } from './live/secrets';
import { mergeInputs, type AuditInput } from './types';

export type { LiveClients } from './live/aws-calls';
export { createLiveClients } from './live/aws-calls';

export interface LiveAuditOptions extends AuditOptions, CallOptions {}

/**
 * Reads the live account as audit input (every page, throttling retried).
 *
 * @example
 * const input = await readLiveInputs(createLiveClients());
 */
export async function readLiveInputs(clients: LiveClients = createLiveClients(), options: LiveAuditOptions = {}): Promise<AuditInput> {
  const [iam, rest, http, secrets] = await Promise.all([
    readLiveIam(clients.iam, options),
    readLiveRestApis(clients.apiGateway, options),
    readLiveHttpApis(clients.apiGatewayV2, options),
    readLiveSecrets(clients.secretsManager, options.now ?? new Date(), options),
  ]);
  const input = mergeInputs(iam, rest, http, secrets);
  input.sources.push(`live:${await clients.iam.config.region()}`);
  return input;
}

/**
 * Audits the live account: what the scheduled Lambda runs.
 *
 * @example
 * const { findings, summary } = await runLiveAudit();
 * logFindings(findings);
 */
export async function runLiveAudit(clients?: LiveClients, options: LiveAuditOptions = {}): Promise<AuditResult> {
  return runAudit(await readLiveInputs(clients, options), options);
}
