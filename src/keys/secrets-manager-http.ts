// Secrets Manager's GetSecretValue and DescribeSecret as single SigV4-signed AWS JSON 1.1 requests: no SDK on the request path.
import type { Agent as HttpAgent, IncomingMessage, RequestOptions } from 'node:http';
import { isPlainObject } from '../config/check';
import type { Env } from '../config/env';
import type { SecretReader } from './secret-reader';
import { credentialsFromEnv, secretsManagerTarget } from './secrets-manager-endpoint';
import { amzDate, signV4 } from './sigv4';

/** An error answer from AWS, shaped like the SDK's service exceptions (`name` is the AWS error code). */
export class AwsServiceError extends Error {
  readonly $metadata: { readonly httpStatusCode: number };

  constructor(code: string, message: string, httpStatusCode: number) {
    super(message);
    this.name = code;
    this.$metadata = { httpStatusCode };
  }
}

export interface HttpSecretReaderOptions {
  /** Region, endpoint and credentials are read from here at every request. @default process.env */
  env?: Env;
  /** Attempts per call, the first included (the SDK's standard retry mode). @default 3 */
  maxAttempts?: number;
  /** How long one attempt may wait for an answer. @default 3_000 */
  timeoutMs?: number;
  /** Tests inject these to check the backoff without waiting. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => Date;
}

interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

// As the SDK's standard retry mode (@smithy/service-error-classification, @smithy/util-retry).
const THROTTLING_CODES = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);
const TRANSIENT_CODES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const NETWORK_ERROR_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);
const RETRY_BASE_MS = 100;
const THROTTLING_RETRY_BASE_MS = 500;
const MAX_RETRY_DELAY_MS = 20_000;
/** A secret value is at most 64 KB; anything far larger is not Secrets Manager answering. */
const MAX_ANSWER_BYTES = 1024 * 1024;

const isThrottling = (err: Error): boolean => THROTTLING_CODES.has(err.name) || (err as AwsServiceError).$metadata?.httpStatusCode === 429;

/** Throttling, a 5xx, a timeout or a dropped connection: worth another attempt. */
export function isRetryable(err: Error): boolean {
  const status = (err as Partial<AwsServiceError>).$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500 || isThrottling(err) || TRANSIENT_CODES.has(err.name);
  return TRANSIENT_CODES.has(err.name) || NETWORK_ERROR_CODES.has((err as NodeJS.ErrnoException).code ?? '');
}

/** Full jitter over an exponential ceiling: `random() × min(20 s, base × 2^(retry-1))`, base 500 ms when throttled, else 100 ms. */
export function retryDelayMs(err: Error, retry: number, random: () => number): number {
  const base = isThrottling(err) ? THROTTLING_RETRY_BASE_MS : RETRY_BASE_MS;
  return Math.floor(random() * Math.min(MAX_RETRY_DELAY_MS, base * 2 ** (retry - 1)));
}

const errorCode = (raw: string): string => raw.split(':')[0]?.split('#').pop()?.trim() ?? '';

/**
 * An AWS JSON 1.1 error answer as an `AwsServiceError`: the code from the `x-amzn-errortype` header, else the body's
 * `code` or `__type` (namespace `…#` and `:…` suffix dropped); the message from `message` or `Message`.
 *
 * @example
 * parseAwsJsonError(400, {}, '{"__type":"com.amazonaws.secretsmanager#ResourceNotFoundException","Message":"not found"}').name; // 'ResourceNotFoundException'
 */
export function parseAwsJsonError(status: number, headers: IncomingMessage['headers'], body: string): AwsServiceError {
  let parsed: Record<string, unknown> = {};
  try {
    const value = JSON.parse(body) as unknown;
    if (isPlainObject(value)) parsed = value;
  } catch {
    // Not JSON (a proxy's HTML page): the status says what little there is to say.
  }
  const raw = [headers['x-amzn-errortype'], parsed.code, parsed.__type].find((v): v is string => typeof v === 'string' && v !== '');
  const code = (raw && errorCode(raw)) || (status >= 500 ? 'InternalServiceError' : `Http${status}Error`);
  const message = [parsed.message, parsed.Message].find((v): v is string => typeof v === 'string') ?? `HTTP ${status}`;
  return new AwsServiceError(code, message, status);
}

/** node:http(s) and their keep-alive agents, loaded at the first request: the JWKS function needs neither at init. */
const agents = new Map<string, HttpAgent>();
function transport(protocol: string): { request: typeof import('node:http').request; agent: HttpAgent } {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded at first use (see above) */
  const mod =
    protocol === 'https:' ? (require('node:https') as typeof import('node:https')) : (require('node:http') as typeof import('node:http'));
  /* eslint-enable @typescript-eslint/no-require-imports */
  let agent = agents.get(protocol);
  if (agent === undefined) {
    agent = new mod.Agent({ keepAlive: true, maxSockets: 50 });
    agents.set(protocol, agent);
  }
  return { request: mod.request, agent };
}

function post(url: URL, headers: Record<string, string>, body: string, timeoutMs: number): Promise<HttpAnswer> {
  const { request, agent } = transport(url.protocol);
  const options: RequestOptions = { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } };
  return new Promise((resolve, reject) => {
    const req = request(url, options, (res) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > MAX_ANSWER_BYTES) req.destroy(new Error(`Secrets Manager's answer exceeds ${MAX_ANSWER_BYTES} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => {
      const timeout = new Error(`no answer from Secrets Manager within ${timeoutMs} ms`);
      timeout.name = 'TimeoutError';
      req.destroy(timeout);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Reads secrets with one SigV4-signed POST per call (AWS JSON 1.1, `secretsmanager.<Operation>`), over a keep-alive
 * agent, with the SDK's standard retry: up to 3 attempts on throttling, 5xx, timeouts and dropped connections, full
 * jitter backoff. Endpoint, Region and credentials come from the environment as Lambda sets it (see
 * `secretsManagerTarget`, `credentialsFromEnv`). Needs the same IAM permission as the SDK: `secretsmanager:GetSecretValue`
 * (and `DescribeSecret`, only to explain a missing value).
 *
 * @example
 * const reader = httpSecretReader();
 * const text = await reader.getSecretString('meshgate/prod/signing-keys', 'AWSCURRENT');
 */
export function httpSecretReader(options: HttpSecretReaderOptions = {}): SecretReader {
  const env = options.env ?? process.env;
  const maxAttempts = options.maxAttempts ?? 3;
  const timeoutMs = options.timeoutMs ?? 3_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const now = options.now ?? (() => new Date());

  async function attempt(operation: string, body: string): Promise<Record<string, unknown>> {
    const { endpoint, region } = secretsManagerTarget(env);
    const credentials = credentialsFromEnv(env);
    if (credentials === undefined) {
      const err = new Error('no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)');
      err.name = 'CredentialsProviderError';
      throw err;
    }
    const date = amzDate(now());
    const headers: Record<string, string> = {
      host: endpoint.host,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `secretsmanager.${operation}`,
      'x-amz-date': date,
      ...(credentials.sessionToken === undefined ? {} : { 'x-amz-security-token': credentials.sessionToken }),
    };
    headers.authorization = signV4({
      method: 'POST',
      url: endpoint,
      headers,
      body,
      region,
      service: 'secretsmanager',
      credentials,
      amzDate: date,
    });
    const answer = await post(endpoint, headers, body, timeoutMs);
    // node handles 1xx (informational) answers itself, so any status below 300 here is a success.
    if (answer.status >= 300) throw parseAwsJsonError(answer.status, answer.headers, answer.body);
    try {
      return JSON.parse(answer.body) as Record<string, unknown>;
    } catch {
      throw new AwsServiceError('SerializationError', `Secrets Manager's ${operation} answer is not JSON`, answer.status);
    }
  }

  async function call(operation: string, input: Record<string, string>): Promise<Record<string, unknown>> {
    const body = JSON.stringify(input);
    for (let n = 1; ; n++) {
      try {
        return await attempt(operation, body);
      } catch (err) {
        if (n >= maxAttempts || !(err instanceof Error) || !isRetryable(err)) throw err;
        await sleep(retryDelayMs(err, n, random));
      }
    }
  }

  return {
    async getSecretString(secretId, stage) {
      const out = await call('GetSecretValue', { SecretId: secretId, VersionStage: stage });
      return typeof out.SecretString === 'string' ? out.SecretString : undefined;
    },
    async describeSecret(secretId) {
      await call('DescribeSecret', { SecretId: secretId });
    },
  };
}
