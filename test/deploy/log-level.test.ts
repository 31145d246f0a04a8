// Every stage logs at INFO or finer: the "access decision" line (authorizer and ingress) is INFO, and it is both the
// audit trail and the carrier of the EMF counts that the dashboard and the authorizer-errors alarm read.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseDocument } from 'yaml';
import { CFN_TAGS } from '../../src/audit/inputs/cfn-yaml';

const KEEPS_DECISIONS = new Set(['TRACE', 'DEBUG', 'INFO']);

/** A literal level, or the default of `${env:NAME, 'LEVEL'}`. */
function effectiveLevel(value: string): string {
  const fromEnv = /^\$\{env:[A-Z_]+,\s*'([A-Za-z]+)'\}$/.exec(value);
  return (fromEnv ? fromEnv[1]! : value).toUpperCase();
}

describe('serverless.yml log level', () => {
  const params = (
    parseDocument(readFileSync('serverless.yml', 'utf8'), { customTags: CFN_TAGS }).toJS() as {
      params: Record<string, Record<string, unknown>>;
    }
  ).params;

  it('names a level for the default stage', () => {
    assert.equal(typeof params.default?.logLevel, 'string');
  });

  for (const [stage, values] of Object.entries(params)) {
    it(`stage ${stage} keeps the INFO access-decision lines`, () => {
      if (values.logLevel === undefined) return;
      assert.ok(
        KEEPS_DECISIONS.has(effectiveLevel(String(values.logLevel))),
        `stage ${stage}: logLevel ${String(values.logLevel)} drops them`,
      );
    });
  }

  it('reads the default of an environment-driven level', () => {
    assert.equal(effectiveLevel("${env:LOG_LEVEL, 'INFO'}"), 'INFO');
    assert.equal(effectiveLevel('WARN'), 'WARN');
  });
});
