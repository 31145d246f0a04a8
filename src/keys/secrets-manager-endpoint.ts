// Where Secrets Manager answers and with which credentials, from the environment as the SDK reads it in Lambda.
import { partitionOfRegion } from '../aws/partitions';
import type { Env } from '../config/env';
import type { AwsCredentials } from './sigv4';

export interface SecretsManagerTarget {
  readonly endpoint: URL;
  readonly region: string;
}

/**
 * The Secrets Manager endpoint the SDK would call: `AWS_ENDPOINT_URL_SECRETS_MANAGER`, else `AWS_ENDPOINT_URL` (unless
 * `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`), else `https://secretsmanager[-fips].<region>.<dns suffix>` for
 * `AWS_REGION` (or `AWS_DEFAULT_REGION`), with `AWS_USE_FIPS_ENDPOINT` and `AWS_USE_DUALSTACK_ENDPOINT`.
 * Throws a `TypeError` naming the variable when there is no Region or an endpoint is not a URL.
 *
 * @example
 * secretsManagerTarget({ AWS_REGION: 'cn-north-1' }).endpoint.href; // 'https://secretsmanager.cn-north-1.amazonaws.com.cn/'
 */
export function secretsManagerTarget(env: Env): SecretsManagerTarget {
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (region === undefined || !/^[a-z0-9-]+$/.test(region)) throw new TypeError('AWS_REGION must name the Region Secrets Manager is in');
  const configured =
    env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true' ? undefined : env.AWS_ENDPOINT_URL_SECRETS_MANAGER || env.AWS_ENDPOINT_URL;
  if (configured !== undefined) {
    const variable = env.AWS_ENDPOINT_URL_SECRETS_MANAGER ? 'AWS_ENDPOINT_URL_SECRETS_MANAGER' : 'AWS_ENDPOINT_URL';
    if (!URL.canParse(configured) || !/^https?:$/.test(new URL(configured).protocol))
      throw new TypeError(`${variable} must be an http(s) URL`);
    return { endpoint: new URL(configured), region };
  }
  const partition = partitionOfRegion(region);
  const suffix = env.AWS_USE_DUALSTACK_ENDPOINT === 'true' ? partition.dualStackDnsSuffix : partition.dnsSuffix;
  const service = env.AWS_USE_FIPS_ENDPOINT === 'true' ? 'secretsmanager-fips' : 'secretsmanager';
  return { endpoint: new URL(`https://${service}.${region}.${suffix}/`), region };
}

/**
 * The function's credentials as Lambda hands them over: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
 * `AWS_SESSION_TOKEN` (the execution role's). Undefined when either key is missing.
 *
 * @example
 * const credentials = credentialsFromEnv(process.env);
 */
export function credentialsFromEnv(env: Env): AwsCredentials | undefined {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return undefined;
  return env.AWS_SESSION_TOKEN ? { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN } : { accessKeyId, secretAccessKey };
}
