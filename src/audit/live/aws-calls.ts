// SDK clients for the live audit, a throttling retry around each page, and a generic paginator.
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { IAMClient } from '@aws-sdk/client-iam';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { traceClient } from '../../observability';

export interface LiveClients {
  readonly iam: IAMClient;
  readonly apiGateway: APIGatewayClient;
  readonly apiGatewayV2: ApiGatewayV2Client;
  readonly secretsManager: SecretsManagerClient;
}

export interface CallOptions {
  /** Extra attempts per page after the SDK's own retries gave up on throttling. @default 4 */
  readonly attempts?: number;
  /** @default setTimeout-based sleep; tests pass a no-op */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Secrets read at once (each is DescribeSecret and GetResourcePolicy, in parallel). @default 8 */
  readonly secretConcurrency?: number;
  /** Told how far a long read has come (the CLI prints it on stderr). */
  readonly onProgress?: (progress: LiveProgress) => void;
}

/** Progress of the per-secret reads: reported every `PROGRESS_EVERY` secrets when there are at least that many. */
export interface LiveProgress {
  readonly phase: 'secrets';
  readonly done: number;
  readonly total: number;
}

export const PROGRESS_EVERY = 100;

/**
 * Maps `items` with at most `limit` calls of `fn` in flight; results keep the order of `items`. The first failure
 * rejects (calls already started still settle).
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new TypeError('limit must be a positive integer');
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

// Adaptive mode rate-limits the client itself once AWS throttles it; GetAccountAuthorizationDetails is throttled hard.
const SDK_RETRY = { maxAttempts: 8, retryMode: 'adaptive' } as const;

/**
 * Clients for the live audit with the SDK's adaptive retry strategy (8 attempts).
 *
 * @example
 * const clients = createLiveClients({ region: 'eu-west-1' });
 */
export function createLiveClients(config: { region?: string } = {}): LiveClients {
  return {
    iam: traceClient(new IAMClient({ ...config, ...SDK_RETRY })),
    apiGateway: traceClient(new APIGatewayClient({ ...config, ...SDK_RETRY })),
    apiGatewayV2: traceClient(new ApiGatewayV2Client({ ...config, ...SDK_RETRY })),
    secretsManager: traceClient(new SecretsManagerClient({ ...config, ...SDK_RETRY })),
  };
}

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
]);

export function isThrottling(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: string; $retryable?: { throttling?: boolean } };
  return THROTTLING.has(e.name ?? '') || e.$retryable?.throttling === true;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs one AWS call, retrying with exponential backoff and jitter when it is throttled. The SDK
 * retries each request first; this outer loop keeps a long account scan going when throttling
 * outlasts the SDK's attempts, instead of losing every page read so far.
 */
export async function withThrottlingRetry<T>(call: () => Promise<T>, options: CallOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 4;
  const sleep = options.sleep ?? realSleep;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (err) {
      if (!isThrottling(err) || attempt >= attempts) throw err;
      await sleep(Math.min(20_000, 500 * 2 ** attempt) * (0.5 + Math.random() / 2));
    }
  }
}

/** Fetches every page: `fetch(token)` returns the page's items and the next token (undefined at the end). */
export async function paginate<T>(
  fetch: (token: string | undefined) => Promise<{ items: readonly T[]; next: string | undefined }>,
  options: CallOptions = {},
): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  const seen = new Set<string>();
  do {
    const page = await withThrottlingRetry(() => fetch(token), options);
    all.push(...page.items);
    token = page.next;
    // A token seen before would loop forever: stop instead.
    if (token !== undefined) {
      if (seen.has(token)) break;
      seen.add(token);
    }
  } while (token !== undefined);
  return all;
}
