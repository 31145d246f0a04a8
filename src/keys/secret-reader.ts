// How a cached secret is read: one port, two adapters (a SigV4-signed request on the request path; the SDK client).

/**
 * Reads Secrets Manager. Errors follow the SDK's shape, so one explanation serves both adapters: an AWS error answer
 * has `name` set to its error code (`ResourceNotFoundException`, …) and `$metadata.httpStatusCode`; no HTTP answer at
 * all (DNS, a refused or reset connection, a timeout) has no `$metadata`; missing credentials are named
 * `CredentialsProviderError`.
 */
export interface SecretReader {
  /** `SecretString` of the version staged `stage`; undefined when that version holds none. */
  getSecretString(secretId: string, stage: string): Promise<string | undefined>;
  /** Resolves when the secret exists (`DescribeSecret`); rejects with the AWS error otherwise. */
  describeSecret(secretId: string): Promise<void>;
}
