// The live audit's input: IAM, API Gateway (REST and HTTP) and Secrets Manager read through SDK v3, for the engine.
import type { AuditOptions } from './engine';
import { readLiveHttpApis, readLiveRestApis } from './live/apis';
import { createLiveClients, type CallOptions, type LiveClients } from './live/aws-calls';
import { readLiveIam } from './live/iam';
import { partitionOf } from './live/partition';
import { readLiveSecrets } from './live/secrets';
import { mergeInputs, type AuditInput } from './types';

export type { LiveClients, LiveProgress } from './live/aws-calls';
export { createLiveClients } from './live/aws-calls';

export interface LiveAuditOptions extends AuditOptions, CallOptions {}

/**
 * Reads the live account as audit input (every page, throttling retried).
 *
 * @example
 * const input = await readLiveInputs(createLiveClients());
 */
export async function readLiveInputs(clients: LiveClients = createLiveClients(), options: LiveAuditOptions = {}): Promise<AuditInput> {
  const region = await clients.apiGateway.config.region();
  const iamRead = readLiveIam(clients.iam, options);
  const secretsRead = readLiveSecrets(clients.secretsManager, options.now ?? new Date(), options);
  // API Gateway ARNs are built, not read: their partition comes from the account's own IAM and secret ARNs.
  const partition = Promise.all([iamRead, secretsRead]).then((inputs) => partitionOf(inputs, region));
  partition.catch(() => undefined); // the failure is reported once, by Promise.all below
  const [iam, rest, http, secrets] = await Promise.all([
    iamRead,
    readLiveRestApis(clients.apiGateway, { ...options, partition }),
    readLiveHttpApis(clients.apiGatewayV2, { ...options, partition }),
    secretsRead,
  ]);
  const input = mergeInputs(iam, rest, http, secrets);
  input.sources.push(`live:${await clients.iam.config.region()}`);
  return input;
}
