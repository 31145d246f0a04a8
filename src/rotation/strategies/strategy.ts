// The contract a managed secret's rotation strategy fulfils: how to generate, set and test a new value.

/**
 * How one kind of secret is rotated. Values are the secret's `SecretString`; a strategy never logs them.
 *
 * @example
 * const pending = strategy.generate(currentValue);
 * await strategy.set?.(pending);
 * await strategy.test(pending, currentValue);
 */
export interface RotationStrategy {
  /** The value of the secret's `meshgate:strategy` tag that selects this strategy. */
  readonly name: string;
  /** The new value, computed from the `AWSCURRENT` value (`undefined` when the secret has none yet). */
  generate(currentValue: string | undefined): string;
  /** Installs the pending value wherever it is used (a database user, an upstream credential); optional. */
  set?(pendingValue: string): Promise<void>;
  /** Proves the pending value works; throws when it does not, which keeps `AWSCURRENT` where it is. */
  test(pendingValue: string, currentValue: string | undefined): Promise<void>;
}
