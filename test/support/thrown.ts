// What a call throws, for tests that check more of an error than assert.throws lets them name.
import assert from 'node:assert/strict';
import { MeshgateError } from '../../src/errors';

/** The value `run` throws, or undefined when it returns. */
export function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  return undefined;
}

/** The MeshgateError `run` throws, asserting its code. */
export function meshgateError(run: () => unknown, code: string): MeshgateError {
  const caught = thrown(run);
  assert.ok(caught instanceof MeshgateError, `expected MeshgateError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  return caught;
}
