// node's TAP reporter, writing Buffers instead of strings. Stryker's tap runner reads each test file's TAP from
// stdout; tests that capture log lines (test/support/logs.ts) swallow string writes to stdout while they run and let
// binary chunks through, the way node's own runner reports to its parent. Without this, those files' TAP would lose
// lines and parse as failed.
import { tap } from 'node:test/reporters';

export default async function* tapAsBuffers(source) {
  for await (const chunk of tap(source)) yield Buffer.from(chunk);
}
