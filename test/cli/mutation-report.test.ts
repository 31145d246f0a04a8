// scripts/mutation-report.mjs on a made-up results directory: what counts as explained, and what --check refuses.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SCRIPT = resolve('scripts/mutation-report.mjs');
const FILE = 'src/rotation/steps.ts';

/** A Stryker results file with one killed and one surviving mutant. */
const results = {
  schemaVersion: '2',
  thresholds: { high: 80, low: 60 },
  files: {
    [FILE]: {
      language: 'typescript',
      source: 'const a = 1;\n',
      mutants: [
        { id: '1', mutatorName: 'BooleanLiteral', replacement: 'false', status: 'Killed', location: loc(1) },
        { id: '2', mutatorName: 'ConditionalExpression', replacement: 'true', status: 'Survived', location: loc(1) },
      ],
    },
  },
};
function loc(line: number) {
  return { start: { line, column: 1 }, end: { line, column: 5 } };
}

describe('Script: mutation-report.mjs', () => {
  let dir: string;
  const report = (...args: string[]) => spawnSync(process.execPath, [SCRIPT, ...args], { cwd: dir, encoding: 'utf8' });
  const write = (name: string, value: unknown) => writeFile(join(dir, 'docs/mutation', name), JSON.stringify(value));

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meshgate-mutation-report-'));
    await mkdir(join(dir, 'docs/mutation'), { recursive: true });
    await write('rotation.json', results);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('refuses an unexplained survivor, and a report that is not what the results give', async () => {
    assert.equal(report().status, 0);
    const md = await readFile(join(dir, 'docs/mutation-report.md'), 'utf8');
    assert.match(md, /\| rotation \| 1 \| 2 \| 1 \| 1 \| 0 \| 0 \| 0 \| 50\.0% \|/);
    assert.match(md, /\| ingress \| not measured \|/);
    assert.match(md, /steps\.ts:1` ConditionalExpression → `true` \(Survived\): \*\*unexplained\*\*/);
    const check = report('--check');
    assert.equal(check.status, 1);
    assert.match(check.stderr, /1 surviving mutant\(s\) unexplained/);
    await writeFile(join(dir, 'docs/mutation-report.md'), `${md}stale`);
    assert.match(report('--check').stderr, /out of date/);
  });

  it('lists a folder awaiting a re-run as such, with its rate from before its new tests, and --check accepts it', async () => {
    await write('awaiting-rerun.json', { rotation: 'tests added in abc123' });
    assert.equal(report().status, 0);
    const md = await readFile(join(dir, 'docs/mutation-report.md'), 'utf8');
    assert.match(md, /50\.0% \(before its new tests: awaiting a re-run\) \|/);
    assert.match(md, /Awaiting a re-run: tests added in abc123/);
    assert.match(md, /\(Survived\): awaiting the re-run/);
    assert.equal(report('--check').status, 0);
    await rm(join(dir, 'docs/mutation/awaiting-rerun.json'));
  });

  it('takes an equivalent survivor out of the denominator; a kept one stays counted, explained', async () => {
    const entry = { file: FILE, line: 1, mutator: 'ConditionalExpression', replacement: 'true', reason: 'r' };
    await write('rotation.survivors.json', [{ ...entry, equivalent: true }]);
    assert.equal(report().status, 0);
    assert.match(
      await readFile(join(dir, 'docs/mutation-report.md'), 'utf8'),
      /\| rotation \| 1 \| 2 \| 1 \| 1 \| 0 \| 1 \| 0 \| 100\.0% \|/,
    );
    assert.equal(report('--check').status, 0);
    await write('rotation.survivors.json', [{ ...entry, equivalent: false }]);
    assert.equal(report().status, 0);
    const md = await readFile(join(dir, 'docs/mutation-report.md'), 'utf8');
    assert.match(md, /\| rotation \| 1 \| 2 \| 1 \| 1 \| 0 \| 0 \| 0 \| 50\.0% \|/);
    assert.match(md, /not equivalent, kept: r/);
    assert.equal(report('--check').status, 0);
  });
});
