// A refusal as the token endpoint's contract names it: the OAuth `error` the caller gets and the `reason` the decision log carries.
import assert from 'node:assert/strict';
import { ExchangeRefusal } from '../../src/exchange/oauth-error';
import { thrown } from '../support/thrown';

function asRefusal(err: unknown, error: string, reason: string, message: string): ExchangeRefusal {
  assert.ok(err instanceof ExchangeRefusal, `${message}: expected an ExchangeRefusal, got ${String(err)}`);
  assert.deepEqual({ error: err.error, reason: err.reason }, { error, reason }, message);
  return err;
}

/** The refusal `fn` throws, asserting this `error` code and this `reason`, never any other error. */
export function assertRefusal(fn: () => unknown, error: string, reason: string, message = ''): ExchangeRefusal {
  return asRefusal(thrown(fn), error, reason, message);
}

/** The refusal `promise` rejects with, asserting this `error` code and this `reason`. */
export async function assertRejectsWithRefusal(
  promise: Promise<unknown>,
  error: string,
  reason: string,
  message = '',
): Promise<ExchangeRefusal> {
  const err = await promise.then(
    () => assert.fail(`${message}: expected a refusal`),
    (e: unknown) => e,
  );
  return asRefusal(err, error, reason, message);
}
