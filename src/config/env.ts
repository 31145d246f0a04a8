// Typed readers for environment variables, read once at cold start; errors name the variable.
import { ConfigError } from '../errors';

export type Env = Readonly<Record<string, string | undefined>>;

export function envInteger(env: Env, name: string, fallback: number, min: number, max: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ConfigError(name, `must be an integer from ${min} to ${max}, got "${text.slice(0, 40)}"`);
  return n;
}

export function envBoolean(env: Env, name: string, fallback: boolean): boolean {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new ConfigError(name, 'must be true or false');
}

export function envEnum<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  if (!(allowed as readonly string[]).includes(text)) throw new ConfigError(name, `must be one of ${allowed.join(', ')}`);
  return text as T;
}

/** True inside a real Lambda (not `serverless offline`, not `invoke local`, not tests). */
export function runningInAws(env: Env): boolean {
  return (
    env.AWS_LAMBDA_FUNCTION_NAME !== undefined &&
    env.IS_OFFLINE !== 'true' &&
    env.IS_LOCAL !== 'true' &&
    env.AWS_EXECUTION_ENV !== undefined
  );
}

/** Loopback HTTP (local issuers, local upstreams) is for the local stack only, never in AWS. */
export function loopbackHttpAllowed(env: Env): boolean {
  const allowed = envBoolean(env, 'MESHGATE_ALLOW_LOOPBACK_HTTP', false);
  if (allowed && runningInAws(env)) throw new ConfigError('MESHGATE_ALLOW_LOOPBACK_HTTP', 'must not be true in AWS');
  return allowed;
}
