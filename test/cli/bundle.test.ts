// The CLI bundle (bin/cli-bundle.cjs): the bin runs it only while every input it was built from has the same content,
// and rebuilds it otherwise, so a stale bundle never runs.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const bundle = require('../../bin/cli-bundle.cjs') as { isFresh(): boolean; MANIFEST: string; BUNDLE: string };

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

function help(): Promise<{ code: number | null; stdout: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ['bin/meshgate.cjs', '--help'], { timeout: 60_000 }, (err, stdout) =>
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout }),
    );
  });
}

describe('CLI bundle', () => {
  it('records the content of every source it was built from, the entry and the bin helper included', async () => {
    assert.equal((await help()).code, 0);
    const inputs = (JSON.parse(readFileSync(bundle.MANIFEST, 'utf8')) as { inputs: Record<string, string> }).inputs;
    for (const file of ['src/cli/main.ts', 'src/cli/audit.ts', 'src/audit/engine.ts', 'package.json', 'bin/cli-bundle.cjs'])
      assert.equal(inputs[file], sha256(file), file);
  });

  it('is rebuilt, not run, when an input no longer has the content it was built from', async () => {
    assert.equal((await help()).code, 0);
    const manifest = JSON.parse(readFileSync(bundle.MANIFEST, 'utf8')) as { inputs: Record<string, string> };
    writeFileSync(bundle.MANIFEST, JSON.stringify({ inputs: { ...manifest.inputs, 'src/cli/main.ts': 'f'.repeat(64) } }));
    assert.equal(bundle.isFresh(), false);
    const run = await help();
    assert.equal(run.code, 0);
    assert.match(run.stdout, /usage: meshgate <command>/);
    assert.equal(bundle.isFresh(), true);
  });
});
