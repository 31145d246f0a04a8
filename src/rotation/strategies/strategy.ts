// The contract a managed secret's rotation strategy fulfils: how to generate, set and test a new value.

/** Which rotation a `set` call belongs to; `token` is the pending version id (not a secret), stable across re-runs. */
export interface SetContext {
  readonly token: string;
  readonly secretArn: string;
  readonly secretName: string | undefined;
}

/**
 * How one kind of secret is rotated. Values are the secret's `SecretString`; a strategy never logs them.
 *
 * @example
 * // given: declare const strategy: RotationStrategy, currentValue: string | undefined;
 * // given: declare const token: string, secretArn: string, secretName: string | undefined;
 * const pending = strategy.generate(currentValue);
 * await strategy.set?.(pending, { token, secretArn, secretName });
 * await strategy.test(pending, currentValue);
 */
export interface RotationStrategy {
  /** The value of the secret's `meshgate:strategy` tag that selects this strategy. */
  readonly name: string;
  /** The new value, computed from the `AWSCURRENT` value (`undefined` when the secret has none yet). */
  generate(currentValue: string | undefined): string;
  /**
   * Installs the pending value wherever it is used (a database user, an upstream credential); optional. Must be
   * idempotent per `context.token`: Secrets Manager re-runs a step after a crash or a lost response.
   */
  set?(pendingValue: string, context: SetContext): Promise<void>;
  /** Proves the pending value works; throws when it does not, which keeps `AWSCURRENT` where it is. */
  test(pendingValue: string, currentValue: string | undefined): void | Promise<void>;
}
