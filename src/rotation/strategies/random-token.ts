// `random-token`: a shared bearer credential, 32 random bytes (base64url) as JSON {"token": "..."}.
import { randomBytes } from 'node:crypto';
import { isPlainObject } from '../../config/check';
import type { RotationStrategy } from './strategy';

const TOKEN_BYTES = 32;

function tokenOf(value: string): string | undefined {
  try {
    const parsed = JSON.parse(value) as unknown;
    return isPlainObject(parsed) && typeof parsed.token === 'string' ? parsed.token : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Rotates a random shared token. `set` is left to the consumer of the token: services read `AWSCURRENT` and
 * accept `AWSPREVIOUS` for one rotation, so no push is needed.
 *
 * @example
 * const value = randomTokenStrategy.generate(undefined); // '{"token":"3q2-..."}'
 */
export const randomTokenStrategy: RotationStrategy = {
  name: 'random-token',
  generate: () => JSON.stringify({ token: randomBytes(TOKEN_BYTES).toString('base64url') }),
  test(pendingValue, currentValue) {
    const token = tokenOf(pendingValue);
    if (token === undefined || Buffer.from(token, 'base64url').length !== TOKEN_BYTES) {
      throw new Error(`pending value is not {"token": <${TOKEN_BYTES} random bytes, base64url>}`);
    }
    if (currentValue !== undefined && tokenOf(currentValue) === token) throw new Error('pending token equals the current token');
  },
};
