// Small typed readers for untrusted configuration values; each failure names the field.
import { isLoopbackHost } from '@meshgate/consumer';
import { ConfigError } from '../errors';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function readObject(path: string, value: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (!isPlainObject(value)) throw new ConfigError(path, 'must be an object');
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new ConfigError(`${path}.${key}`, `unknown field (allowed: ${allowed.join(', ')})`);
  }
  return value;
}

export function readString(path: string, value: unknown, opts: { pattern?: RegExp; hint?: string } = {}): string {
  if (typeof value !== 'string' || value.length === 0) throw new ConfigError(path, 'must be a non-empty string');
  if (opts.pattern && !opts.pattern.test(value)) throw new ConfigError(path, `must be ${opts.hint ?? `like ${opts.pattern}`}`);
  return value;
}

export function readOptionalString(path: string, value: unknown, opts?: { pattern?: RegExp; hint?: string }): string | undefined {
  return value === undefined ? undefined : readString(path, value, opts);
}

/** A string or a list of strings; `pattern`/`hint` apply to every item, as in {@link readString}. */
export function readStringList(
  path: string,
  value: unknown,
  opts: { allowEmpty?: boolean; pattern?: RegExp; hint?: string } = {},
): string[] {
  if (typeof value === 'string') return [readString(path, value, opts)];
  if (!Array.isArray(value)) throw new ConfigError(path, 'must be a string or a list of strings');
  if (value.length === 0 && !opts.allowEmpty) throw new ConfigError(path, 'must not be empty');
  const list = value.map((item, i) => readString(`${path}[${i}]`, item, opts));
  if (new Set(list).size !== list.length) throw new ConfigError(path, 'must not repeat a value');
  return list;
}

export function readOptionalStringList(path: string, value: unknown): string[] {
  return value === undefined ? [] : readStringList(path, value, { allowEmpty: true });
}

export function readInteger(path: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(path, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

export function readOptionalInteger(path: string, value: unknown, min: number, max: number, fallback: number): number {
  return value === undefined ? fallback : readInteger(path, value, min, max);
}

export function readEnum<T extends string>(path: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(path, `must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/** How loopback http is allowed where a URL is read: the Lambda variable, unless the caller names its own switch. */
export const LOOPBACK_HTTP_SWITCH = 'set MESHGATE_ALLOW_LOOPBACK_HTTP=true (local stack and tests only; refused in AWS)';

export interface UrlOptions {
  readonly allowLoopbackHttp: boolean;
  /** What turns loopback http on, named in the hint when a loopback http URL is refused. @default LOOPBACK_HTTP_SWITCH */
  readonly loopbackSwitch?: string;
}

export function readHttpsUrl(path: string, value: unknown, opts: UrlOptions): string {
  const text = readString(path, value);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(path, 'must be an absolute URL');
  }
  if (url.protocol === 'https:') return text;
  const loopbackHttp = url.protocol === 'http:' && isLoopbackHost(url.hostname);
  if (loopbackHttp && opts.allowLoopbackHttp) return text;
  if (loopbackHttp)
    throw new ConfigError(
      path,
      `must be https; to allow http on loopback for local testing, ${opts.loopbackSwitch ?? LOOPBACK_HTTP_SWITCH}`,
    );
  throw new ConfigError(path, opts.allowLoopbackHttp ? 'must be https (http only for loopback hosts)' : 'must be https');
}

/** Parses a JSON environment variable, naming it when it is not JSON. */
export function parseJsonEnv(name: string, text: string | undefined): unknown {
  if (text === undefined || text.trim() === '') throw new ConfigError(name, 'is required');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ConfigError(name, 'is not valid JSON', { cause: err });
  }
}
