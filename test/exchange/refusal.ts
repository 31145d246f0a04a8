// A refusal as the token endpoint's contract names it: the OAuth `error` the caller gets and the `reason` the decision log carries.
import assert from 'node:assert/strict';
import { ExchangeRefusal } from '../../src/exchange/oauth-error';

/** Asserts that `fn` refuses with this `error` code and this `reason`, never with any other error. */
export function assertRefusal(fn: () => unknown, error: string, reason: string, message = ''): void {
  assert.throws(
    fn,
    (err: unknown) => {
      assert.ok(err instanceof ExchangeRefusal, `${message}: expected an ExchangeRefusal, got ${String(err)}`);
      assert.deepEqual({ error: err.error, reason: err.reason }, { error, reason }, message);
      return true;
    },
    message,
  );
}
