// The one Logger, span helper and metrics output every function imports (Powertools Logger and Metrics; X-Ray spans).
import { Console } from 'node:console';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { xraySpan } from './xray';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'meshgate';

export const logger = new Logger({ serviceName });

/** Where JSON log and metric lines go: stdout in Lambda (CloudWatch reads both streams), stderr in the CLI. */
let lines: NodeJS.WritableStream = process.stdout;

/**
 * CLI commands keep stdout for their results (a report, JSON, kids), so their log and metric lines go to stderr.
 * Powertools Logger has no option for its stream: its private `console` is replaced with one whose both streams
 * are stderr (the Logger prints through `console.info`/`warn`/`error`, so every level follows).
 */
export function sendLogsToStderr(): void {
  lines = process.stderr;
  (logger as unknown as { console: Console }).console = new Console({ stdout: process.stderr, stderr: process.stderr });
}

const tracingEnabled =
  process.env.POWERTOOLS_TRACE_ENABLED !== 'false' &&
  process.env.AWS_LAMBDA_FUNCTION_NAME !== undefined &&
  process.env.IS_OFFLINE !== 'true' &&
  process.env.IS_LOCAL !== 'true';

let loadedTracer: Tracer | undefined;

/**
 * The Powertools Tracer (and its X-Ray SDK, ~130 KB bundled and ~20 ms to load), in Lambda only, loaded by the first
 * `traceClient`: only the functions that trace SDK clients (the live audit) carry it. Outside
 * Lambda (tests, `serverless offline`, `invoke local`) there is no X-Ray daemon and no Tracer.
 */
function currentTracer(): Tracer | undefined {
  if (!tracingEnabled) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded at first use (see above)
  loadedTracer ??= new (require('@aws-lambda-powertools/tracer') as typeof import('@aws-lambda-powertools/tracer')).Tracer({ serviceName });
  return loadedTracer;
}

/**
 * Traces every call of an AWS SDK v3 client as its own subsegment (in Lambda, where it loads the Tracer; a no-op elsewhere).
 *
 * @example
 * // given: import { IAMClient } from '@aws-sdk/client-iam';
 * const iam = traceClient(new IAMClient({}));
 */
export function traceClient<T>(client: T): T {
  const tracer = currentTracer();
  return tracer ? tracer.captureAWSv3Client(client) : client;
}

/**
 * Runs `fn` inside an X-Ray subsegment named `name` of this invocation's trace, closed whatever happens (in Lambda;
 * a no-op elsewhere). Where the Tracer is loaded (`traceClient`) the span goes through it, so SDK calls nest under
 * it; elsewhere (the request path) it goes straight to the daemon (`xraySpan`) and the X-Ray SDK is never loaded.
 * Nothing is traced during init: Lambda sets the trace header per invocation.
 *
 * @example
 * // given: import type { Fetcher } from 'aws-jwt-verify/https';
 * // given: declare const fetcher: Fetcher, uri: string;
 * const jwks = await traced('### jwks fetch', () => fetcher.fetch(uri));
 */
export async function traced<T>(name: string, fn: () => Promise<T>): Promise<T> {
  if (!tracingEnabled || process.env._X_AMZN_TRACE_ID === undefined) return fn();
  if (loadedTracer === undefined) return xraySpan(name, fn);
  const tracer = loadedTracer;
  const parent = tracer.getSegment();
  if (parent === undefined) return fn();
  const sub = parent.addNewSubsegment(name);
  tracer.setSegment(sub);
  try {
    return await fn();
  } catch (err) {
    sub.addError(err as Error);
    throw err;
  } finally {
    sub.close();
    tracer.setSegment(parent);
  }
}

/** Clears per-invocation keys so one caller's subject never appears on the next invocation's lines. */
export function startInvocation(requestId: string | undefined): void {
  logger.resetKeys();
  logger.appendKeys({ requestId: requestId ?? 'unknown' });
}

const namespace = process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'meshgate';

/** Powertools Metrics, for jobs that publish several metrics at once (scheduled job, audit); dropped from bundles that never use it. */
export const metrics = /* @__PURE__ */ new Metrics({ namespace, serviceName });

/**
 * Counts one event as an EMF metric line of its own (namespace, dimension `service`), the line Powertools Metrics
 * would print, written directly: the request path then never constructs `metrics` (see `emfCount` for the fields).
 */
export function countMetric(name: string, value = 1): void {
  lines.write(`${JSON.stringify({ ...emfCount(name), service: serviceName, [name]: value })}\n`);
}

/**
 * Fields that make a log line also count as one `name` metric (CloudWatch embedded metric format, dimension
 * `service`, which every Logger line carries). An access decision is then one line, not a log line plus a
 * metrics line: that halves the logging cost on the hot path (bench: ~10 µs per request).
 *
 * @example
 * logger.info('access decision', { outcome: 'allow', ...emfCount('AuthorizerAllowed') });
 */
export function emfCount(name: string): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [['service']], Metrics: [{ Name: name, Unit: 'Count' }] }],
    },
    [name]: 1,
  };
}
