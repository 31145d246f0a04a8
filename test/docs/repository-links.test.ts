// The docs point only to files in the repository: every relative Markdown link resolves, and nothing names a design
// file that is not shipped.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Tracked files (git ls-files), so node_modules and build output are never read. */
const tracked = execFileSync('git', ['ls-files', '-z'], { encoding: 'utf8' }).split('\0').filter(Boolean);
const markdown = tracked.filter((f) => f.endsWith('.md'));
const text = tracked.filter((f) => /\.(md|ts|mts|mjs|cjs|yml|yaml|json)$/.test(f) && f !== 'package-lock.json');

describe('Docs: links point into the repository', () => {
  it('every relative Markdown link names a file or folder that exists', () => {
    const broken: string[] = [];
    for (const file of markdown) {
      const body = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const [, target] of body.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^(https?:|mailto:|#)/.test(target!)) continue;
        const path = join(dirname(file), decodeURIComponent(target!.split('#')[0]!));
        if (!existsSync(path)) broken.push(`${file}: ${target}`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it('no file refers to DESIGN.md or ../shared (not part of the repository)', () => {
    const design = /\bDESIGN\b|\.\.\/shared\//;
    const hits = text.filter((f) => f !== 'test/docs/repository-links.test.ts' && design.test(readFileSync(f, 'utf8')));
    assert.deepEqual(hits, []);
  });
});
