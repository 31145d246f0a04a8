// Polls for something that becomes true eventually (a background fetch, a held request): no timed assertion, only a
// deadline after which the test fails saying what never happened.
import { setTimeout as sleep } from 'node:timers/promises';

/** Resolves once `check` holds; rejects naming `what` if it still does not after `deadlineMs` (generous on busy CI). */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, deadlineMs = 10_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never happened within ${deadlineMs} ms: ${what}`);
    await sleep(5);
  }
}
