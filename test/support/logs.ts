// Captures what Powertools Logger writes, and fails a test if a secret ever appears in it.
import assert from 'node:assert/strict';

export interface LogCapture {
  readonly lines: string[];
  entries(): Record<string, unknown>[];
  stop(): void;
}

/** Captures stdout/stderr lines until `stop()`; output is not echoed. */
export function captureLogs(): LogCapture {
  const lines: string[] = [];
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  // node's test runner reports each file's results to the parent over stdout as binary chunks: those pass
  // through untouched (swallowing them would silently drop test results); text lines are captured.
  const grab = (original: typeof process.stdout.write) =>
    ((chunk: unknown, ...rest: unknown[]): boolean => {
      if (typeof chunk !== 'string') return (original as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
      lines.push(...chunk.split('\n').filter((l) => l.trim() !== ''));
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = grab(out);
  process.stderr.write = grab(err);
  return {
    lines,
    entries: () =>
      lines.flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return [];
        }
      }),
    stop: () => {
      process.stdout.write = out;
      process.stderr.write = err;
    },
  };
}

/** Asserts no captured line contains any of the secrets (tokens, private key members, secret values). */
export function assertNoSecretsLogged(capture: LogCapture, secrets: readonly string[]): void {
  for (const secret of secrets) {
    if (secret.length < 8) continue;
    const hit = capture.lines.find((l) => l.includes(secret) || l.includes(secret.split('.')[1] ?? '\u0000'));
    assert.equal(hit, undefined, `a log line contains a secret: ${hit?.slice(0, 120)}`);
  }
}

/** Runs `action` with logs captured; returns its value and the one line it logged with `message` (asserting it is one). */
export async function withOneLogLine<T>(message: string, action: () => Promise<T>): Promise<{ value: T; line: Record<string, unknown> }> {
  const capture = captureLogs();
  let value: T;
  try {
    value = await action();
  } finally {
    capture.stop();
  }
  const lines = capture.entries().filter((e) => e.message === message);
  assert.equal(lines.length, 1, `one "${message}" line`);
  return { value, line: lines[0]! };
}

/** The EMF metrics a log line counts, as it declares them; asserts that of `known` exactly those carry the value 1. */
export function emfMetricsOf(line: Record<string, unknown>, known: readonly string[]): string[] {
  const aws = line._aws as { CloudWatchMetrics: Array<{ Metrics: Array<{ Name: string }> }> };
  const declared = aws.CloudWatchMetrics.flatMap((m) => m.Metrics.map((x) => x.Name));
  assert.deepEqual(
    known.filter((name) => line[name] === 1),
    declared,
    'each declared metric has its value 1',
  );
  return declared;
}
