import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERROR_CODES } from '../../src/errors';
import { ERROR_TABLE } from '../../src/http/error-table';

describe('Document: docs/errors.md', () => {
  const rows = new Map(
    [...readFileSync('docs/errors.md', 'utf8').matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1] as string, Number(m[2])]),
  );

  it('documents every error code with the status the error table maps it to', () => {
    for (const code of ERROR_CODES) {
      assert.equal(rows.get(code), ERROR_TABLE[code].status, `docs/errors.md: ${code}`);
    }
  });

  it('documents no code that does not exist', () => {
    for (const code of rows.keys()) assert.ok((ERROR_CODES as readonly string[]).includes(code), `unknown code ${code}`);
  });
});
