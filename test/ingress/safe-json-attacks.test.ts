// The strict JSON reader's boundaries as attacks: every tricky spelling of a number, string or bracket either reads
// as JSON.parse reads it or is refused with the one error code that says why.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MeshgateError } from '../../src/errors';
import { MAX_JSON_DEPTH, parseUntrustedJson } from '../../src/ingress/safe-json';

function refusal(text: string, maxDepth?: number): MeshgateError {
  try {
    parseUntrustedJson(text, maxDepth);
  } catch (err) {
    assert.ok(err instanceof MeshgateError, `${text.slice(0, 80)}: expected a MeshgateError, got ${String(err)}`);
    return err;
  }
  assert.fail(`${text.slice(0, 80)} was accepted`);
}

/** Accepted, and read exactly as JSON.parse reads it (-0 included). */
function assertReadAsJsonParse(text: string): void {
  assert.deepStrictEqual(parseUntrustedJson(text), JSON.parse(text), text);
}

const nested = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;
// An inexact number (it reads as 0.1) of exactly 40 characters.
const FORTY_CHAR_NUMBER = `0.1${'0'.repeat(36)}1`;
const FORTY_CHAR_NAME = 'n'.repeat(40);

describe('parseUntrustedJson: malformed spellings are payload_malformed, never read some other way', () => {
  const cases: readonly (readonly [string, string])[] = [
    ['a number with no digit before the point', '[-.5e0]'],
    ['a number with no digit after the point', '[1.e5]'],
    ['a number as a member name', '{1E400:1}'],
    ['a long number as a member name', '{12345678901234567890:1}'],
    ['an array closed by a brace', '{"a":[1}'],
    ['an object closed by a bracket, then a repeat', '{"a":1]{"a":1,"a":2}'],
    ['a closing bracket before anything opens, then a repeat', ']{"a":1,"a":2}'],
    ['member names with invalid escapes that would decode alike', '{"\\x":1,"\\y":2}'],
    ['a member name with a lone surrogate and an invalid escape', '{"\\ud800\\x":1}'],
    ['a minus sign with no digits', '[-]'],
    ['an exponent with no digits', '[1e]'],
    ['a string that never ends', '{"a":"b'],
    ['a trailing comma', '[1,]'],
  ];
  for (const [what, text] of cases)
    it(`refuses ${what}: ${text}, with a detail that says the body is not JSON`, () => {
      const err = refusal(text);
      assert.equal(err.code, 'payload_malformed');
      // The message is the problem's `detail` (payload_malformed is exposed): the client learns why, not just 400.
      assert.match(err.message, /^body is not valid JSON/);
    });
  it('says which string never ends', () => {
    assert.equal(refusal('["ok","never').message, 'body is not valid JSON: unterminated string');
  });
});

describe('parseUntrustedJson: numbers at the edges', () => {
  it('refuses an overflowing number with an upper-case exponent as it refuses a lower-case one', () => {
    for (const text of ['[1E400]', '{"n":1E400}', '{"n":-1E+400}', '[1e400]']) assert.equal(refusal(text).code, 'payload_invalid', text);
  });
  it('refuses an inexact number with an upper-case exponent', () => {
    assert.deepEqual(refusal('{"n":2.0000000000000001E0}').details.errors, [
      { pointer: '#/n', detail: 'number 2.0000000000000001E0 cannot be represented exactly' },
    ]);
  });
  it('quotes a number of 40 characters whole, and shortens a longer one', () => {
    assert.deepEqual(refusal(`[${FORTY_CHAR_NUMBER}]`).details.errors, [
      { pointer: '#/0', detail: `number ${FORTY_CHAR_NUMBER} cannot be represented exactly` },
    ]);
    assert.deepEqual(refusal(`[${FORTY_CHAR_NUMBER}0]`).details.errors, [
      { pointer: '#/0', detail: `number ${FORTY_CHAR_NUMBER}... cannot be represented exactly` },
    ]);
  });
  it('quotes a repeated name of 40 characters whole', () => {
    assert.deepEqual(refusal(`{"${FORTY_CHAR_NAME}":1,"${FORTY_CHAR_NAME}":2}`).details.errors, [
      { pointer: `#/${FORTY_CHAR_NAME}`, detail: `member name "${FORTY_CHAR_NAME}" repeats` },
    ]);
  });
  it('accepts exact numbers spelled with leading zeros after the point, trailing zeros, or any exponent on zero', () => {
    for (const text of ['[0.5e1]', '[-0.5E1]', '[0.05e2,-0.0025E3]', '[1.5000000000000000]', '[0.0e5,-0.0E-5,0e400]', '[-0]'])
      assertReadAsJsonParse(text);
  });
  it('refuses a tiny number that reads as zero, whatever its sign', () => {
    for (const text of ['[1e-400]', '[-1e-400]', '[0.00001e-400]']) assert.equal(refusal(text).code, 'payload_ambiguous', text);
  });
  it('accepts any double written with extra leading and trailing zeros and a shifted exponent, and reads that double', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => d !== 0),
        fc.nat(30),
        fc.nat(30),
        fc.constantFrom('e', 'E'),
        (d, zeros, trailing, e) => {
          const [mantissa, exponent] = Math.abs(d).toExponential().split('e') as [string, string];
          const digits = mantissa.replace('.', '');
          const text = `${d < 0 ? '-' : ''}0.${'0'.repeat(zeros)}${digits}${'0'.repeat(trailing)}${e}${Number(exponent) + 1 + zeros}`;
          assert.ok(Object.is(parseUntrustedJson(text), d), text);
        },
      ),
    );
  });
});

describe('parseUntrustedJson: nesting depth', () => {
  it(`accepts exactly ${MAX_JSON_DEPTH} levels and refuses one more`, () => {
    assertReadAsJsonParse(nested(MAX_JSON_DEPTH));
    assertReadAsJsonParse(`${'{"a":'.repeat(MAX_JSON_DEPTH - 1)}[]${'}'.repeat(MAX_JSON_DEPTH - 1)}`);
    assert.equal(refusal(nested(MAX_JSON_DEPTH + 1)).code, 'payload_malformed');
  });
  it('applies a smaller limit exactly', () => {
    assert.deepEqual(parseUntrustedJson(nested(3), 3), [[[]]]);
    assert.equal(refusal(nested(4), 3).code, 'payload_malformed');
  });
});

describe('parseUntrustedJson: surrogate escapes', () => {
  const refused: readonly (readonly [string, string, string])[] = [
    ['["\\ud800xudc00"]', '#/0', 'a string escapes a lone surrogate'],
    ['["\\ud800\\ndc00"]', '#/0', 'a string escapes a lone surrogate'],
    ['["\\ud800\\\\udc00"]', '#/0', 'a string escapes a lone surrogate'],
    ['["ok","\\udfff"]', '#/1', 'a string escapes a lone surrogate'],
    ['{"k":"\\udbff"}', '#/k', 'a string escapes a lone surrogate'],
    ['{"a":1,"\\udc00":2}', '#/\udc00', 'a member name escapes a lone surrogate'],
  ];
  for (const [text, pointer, detail] of refused)
    it(`refuses ${text} as payload_ambiguous at ${JSON.stringify(pointer)}`, () => {
      const err = refusal(text);
      assert.equal(err.code, 'payload_ambiguous');
      assert.deepEqual(err.details.errors, [{ pointer, detail }]);
    });
  const accepted = [
    '["\\udbff\\udfff"]',
    '["\\ud800\\udc00","\\ue000x","\\ud7ff","\\uffff"]',
    '["\\ud83d\\ude00","ud800","xudc00"]',
    '["\\ud83d\\ude00","\\nxud800","\\u0041xudc00"]',
    '["\\n\\ud83d\\ude00","\\t\\\\\\ud800\\udc00"]',
    '{"\\ud83d\\ude00":1,"\\n":"\\udbff\\udc00"}',
  ];
  for (const text of accepted)
    it(`accepts ${text}`, () => {
      assertReadAsJsonParse(text);
    });
});

describe('parseUntrustedJson: layout and member names', () => {
  it('accepts JSON laid out with every kind of insignificant whitespace', () => {
    assertReadAsJsonParse('{ "a" : [ 1 , -2 ] ,\n\t"b" : {\r\n"c" : 3e1 } , "d":{ } }');
    assertReadAsJsonParse(' \n[\t{ "a":1 }\r]\n ');
  });
  it('accepts any value JSON.stringify lays out with indentation, and reads it as JSON.parse does', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(1, 2, '\t', '\r\n '), (value, indent) => {
        assertReadAsJsonParse(JSON.stringify(value, null, indent));
      }),
    );
  });
  it('finds a repeat in every object at a depth once an earlier object there outgrew the short list', () => {
    const big = `{${Array.from({ length: 12 }, (_, i) => `"k${i}":${i}`).join(',')}}`;
    assert.deepEqual(refusal(`[${big},{"a":1,"b":2,"a":3}]`).details.errors, [{ pointer: '#/1/a', detail: 'member name "a" repeats' }]);
    assert.deepEqual(refusal(`[${big},{"k1":1,"k1":2}]`).details.errors, [{ pointer: '#/1/k1', detail: 'member name "k1" repeats' }]);
    const names = Array.from({ length: 20 }, (_, i) => `"k${i}":${i}`);
    assert.deepEqual(refusal(`[${big},{${names.join(',')},"k3":0}]`).details.errors, [
      { pointer: '#/1/k3', detail: 'member name "k3" repeats' },
    ]);
    assert.deepEqual(refusal(`{${names.join(',')},"k15":0}`).details.errors, [{ pointer: '#/k15', detail: 'member name "k15" repeats' }]);
    assertReadAsJsonParse(`[${big},${big},{${names.join(',')}}]`);
  });
});
