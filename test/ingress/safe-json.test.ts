import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MeshgateError } from '../../src/errors';
import { parseUntrustedJson } from '../../src/ingress/safe-json';

/** The error parseUntrustedJson throws for `text`; fails when it parses or throws anything else. */
function failure(text: string): MeshgateError {
  let caught: unknown;
  try {
    parseUntrustedJson(text);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof MeshgateError, `expected a MeshgateError for ${text.slice(0, 80)}, got ${String(caught)}`);
  return caught;
}

/** Asserts a payload_ambiguous rejection and returns its one problem item. */
function ambiguity(text: string): { pointer: string; detail: string } {
  const err = failure(text);
  assert.equal(err.code, 'payload_ambiguous', `${text.slice(0, 80)}: ${err.message}`);
  const errors = err.details.errors as { pointer: string; detail: string }[];
  assert.equal(errors.length, 1);
  return errors[0]!;
}

const pointerOf = (text: string): string => ambiguity(text).pointer;
const escapePointer = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');
/** Every UTF-16 code unit as a `\uXXXX` escape: the same member name, spelled differently. */
const escapedKey = (name: string): string =>
  `"${Array.from({ length: name.length }, (_, i) => `\\u${name.charCodeAt(i).toString(16).padStart(4, '0')}`).join('')}"`;

function hasForbiddenKey(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(hasForbiddenKey);
  return Object.keys(value).some((k) => k === '__proto__' || k === 'constructor' || hasForbiddenKey((value as Record<string, unknown>)[k]));
}

describe('parseUntrustedJson: repeated member names (payload_ambiguous)', () => {
  it('rejects a repeated name at the top level and points at it', () => {
    const problem = ambiguity('{"sku":"../x","sku":"SKU-1","quantity":2}');
    assert.deepEqual(problem, { pointer: '#/sku', detail: 'member name "sku" repeats' });
    assert.equal(failure('{"sku":"../x","sku":"SKU-1","quantity":2}').message.includes('"sku" repeats'), true);
  });
  it('rejects repeats that are not adjacent, and repeats with equal values', () => {
    assert.equal(pointerOf('{"a":1,"b":2,"c":3,"a":1}'), '#/a');
    assert.equal(pointerOf('{"a":null,"a":null}'), '#/a');
  });
  it('rejects repeats nested in objects and arrays, with the pointer to the repeated member', () => {
    assert.equal(pointerOf('[{"a":1},{"a":1,"a":2}]'), '#/1/a');
    assert.equal(pointerOf('{"shipTo":{"country":"DE","country":"FR"}}'), '#/shipTo/country');
    assert.equal(pointerOf('{"lines":[{"sku":"A"},{"sku":"B"},{"quantity":1,"sku":"C","sku":"D"}]}'), '#/lines/2/sku');
    assert.equal(pointerOf('[[],[[0,{"x":{}}],{"y":[1,{"z":0,"z":1}]}]]'), '#/1/1/y/1/z');
  });
  it('rejects a repeat after a nested value closed', () => {
    assert.equal(pointerOf('{"a":{"b":[1,{"c":2}]},"d":"x","a":3}'), '#/a');
  });
  it('decodes escaped names: \\u0061 is "a", \\/ is "/"', () => {
    assert.equal(pointerOf('{"a":1,"\\u0061":2}'), '#/a');
    assert.equal(pointerOf('{"\\u0061":1,"a":2}'), '#/a');
    assert.equal(pointerOf('{"a/b":1,"a\\/b":2}'), '#/a~1b');
    assert.equal(pointerOf('{"é":1,"\\u00e9":2}'), '#/é');
    assert.equal(pointerOf('{"\\"":1,"\\u0022":2}'), '#/"');
  });
  it('escapes ~ and / in the pointer (RFC 6901)', () => {
    assert.equal(pointerOf('{"a~b":1,"a~b":2}'), '#/a~0b');
    assert.equal(pointerOf('{"a/b":{"~/":{"x":1,"x":2}}}'), '#/a~1b/~0~1/x');
    assert.equal(pointerOf('{"":1,"":2}'), '#/');
  });
  it('accepts the same name in different objects, at any depth', () => {
    assert.deepEqual(parseUntrustedJson('{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}'), { a: 1, b: { a: 2 }, c: [{ a: 3 }, { a: 4 }] });
    assert.deepEqual(parseUntrustedJson('[{"a":1,"b":2},{"a":1,"b":2}]'), [
      { a: 1, b: 2 },
      { a: 1, b: 2 },
    ]);
  });
  it('accepts names that look alike but differ', () => {
    const text = '{"a":1,"A":2,"a ":3," a":4,"\\u0062":5,"a\\\\":6,"a\\"":7,"ａ":8,"e\\u0301":9,"é":10}';
    assert.equal(Object.keys(parseUntrustedJson(text) as object).length, 10);
  });
  it('finds repeats in objects too big for the short list, and forgets them when the object closes', () => {
    const keys = Array.from({ length: 40 }, (_, i) => `"k${i}":${i}`);
    assert.equal(pointerOf(`{${keys.join(',')},"k0":0}`), '#/k0');
    assert.equal(pointerOf(`{${keys.join(',')},"k39":0}`), '#/k39');
    assert.equal(pointerOf(`[{${keys.join(',')}},{"k1":1,"k1":1}]`), '#/1/k1');
    assert.equal((parseUntrustedJson(`[{${keys.join(',')}},{${keys.join(',')}},{"k0":0}]`) as unknown[]).length, 3);
  });
  it('is not confused by strings holding digits, quotes, backslashes, braces and colons', () => {
    const text = '{"a":"\\"b\\":1,\\"a\\":2}","b":"{[\\\\","c":"1e400 9007199254740993 }]","d":["\\\\\\"",":,"],"e":"\\\\"}';
    assert.deepEqual(Object.keys(parseUntrustedJson(text) as object), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(parseUntrustedJson('["{\\"a\\":1,\\"a\\":2}", "2.0000000000000001"]'), ['{"a":1,"a":2}', '2.0000000000000001']);
    assert.equal(pointerOf('{"x\\\\":1,"x\\\\":2}'), '#/x\\');
  });
});

describe('parseUntrustedJson: numbers a double cannot hold exactly (payload_ambiguous)', () => {
  for (const [token, pointer] of [
    ['2.0000000000000001', '#'],
    ['0.30000000000000005', '#'],
    ['9007199254740993', '#'],
    ['-9007199254740993', '#'],
    ['1e-400', '#'],
    ['-1e-400', '#'],
    ['123456789012345678901234567890', '#'],
    ['0.1000000000000000000001', '#'],
    ['1.00000000000000000000e-999', '#'],
  ] as const) {
    it(`rejects ${token}`, () => {
      assert.deepEqual(ambiguity(token), { pointer, detail: `number ${token} cannot be represented exactly` });
    });
  }
  it('points at the number inside objects and arrays', () => {
    assert.equal(pointerOf('{"sku":"A-1","quantity":2.0000000000000001}'), '#/quantity');
    assert.equal(pointerOf('{"lines":[{"quantity":1},{"quantity":9007199254740993}]}'), '#/lines/1/quantity');
    assert.equal(pointerOf('[0,1,[2,1e-400]]'), '#/2/1');
    assert.equal(pointerOf('{"a/b":[1e-400]}'), '#/a~1b/0');
  });
  it('shortens a long number in the message', () => {
    const { detail } = ambiguity(`1.${'1'.repeat(200)}`);
    assert.ok(detail.length < 100, detail);
    assert.match(detail, /^number 1\.1{38}\.\.\. cannot be represented exactly$/);
  });
  for (const token of [
    '0.1',
    '1.0',
    '1e2',
    '1E2',
    '100',
    '-0',
    '-0.0',
    '0e-999',
    '0.30000000000000004',
    '5e-324',
    '2.2250738585072014e-308',
    '1.7976931348623157e308',
    '-1.7976931348623157e+308',
    '9007199254740992',
    '9007199254740994',
    '1e21',
    '1.5e-7',
    '100000000000000000000',
    '123456789012345.6',
    '12345.678901234567',
  ]) {
    it(`accepts ${token}`, () => {
      const value = parseUntrustedJson(`[${token}]`) as number[];
      assert.equal(value[0], Number(token));
    });
  }
  it('keeps rejecting overflow as payload_invalid, and nonsense numbers as payload_malformed', () => {
    assert.equal(failure('{"n":1e400}').code, 'payload_invalid');
    assert.equal(failure(`[${'9'.repeat(400)}]`).code, 'payload_invalid');
    for (const text of ['[1e]', '[-]', '[1-2]', '[1.5e+]', '[01]', '[1.]', '{1:2}', '[-Infinity]', '[0x10]'])
      assert.equal(failure(text).code, 'payload_malformed', text);
  });
});

describe('parseUntrustedJson: existing guards stay', () => {
  it('refuses nesting past the limit and __proto__ / constructor keys', () => {
    assert.equal(failure(`${'['.repeat(65)}${']'.repeat(65)}`).code, 'payload_malformed');
    assert.equal(failure('{"a":{"__proto__":{"polluted":true}}}').code, 'payload_invalid');
    assert.equal(failure('{"\\u0063onstructor":1}').code, 'payload_invalid');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
  it('reports malformed text as payload_malformed (or payload_ambiguous), never anything else', () => {
    for (const text of [
      '',
      '{',
      '}',
      '[}',
      '{]',
      '{"a":1,',
      '{"a":1,"a"',
      '"abc',
      '{"a" 1}',
      '{"\\u":1}',
      '{"\\x":1}',
      '[1,,2]',
      '{"a":1}}',
      '1 2',
    ]) {
      const err = failure(text);
      assert.ok(err.code === 'payload_malformed' || err.code === 'payload_ambiguous', `${text}: ${err.code}`);
    }
  });
});

describe('parseUntrustedJson: escaped lone surrogates (payload_ambiguous)', () => {
  it('rejects a lone high or low surrogate escape in a member name or a value, and points at it', () => {
    // The red team's body: two names to JavaScript, one repeated name (U+FFFD) to Go, an error to Rust.
    const cases: [string, string][] = [
      ['{"\\ud800":"a","\\udbff":"b"}', '#/\ud800'],
      ['{"note":"x\\uDC00y"}', '#/note'],
      ['{"a":[1,{"b":"\\ud83d"}]}', '#/a/1/b'],
      ['["ok","\\ude00\\ud83d"]', '#/1'],
      ['"\\ud800\\ud800"', '#'],
      ['{"s":"\\ud800\\u0041"}', '#/s'],
      ['{"s":"\\ud800\\n"}', '#/s'],
    ];
    for (const [text, pointer] of cases) assert.equal(pointerOf(text), pointer, text);
    assert.match(ambiguity('{"\\ud800":1}').detail, /member name escapes a lone surrogate/);
  });
  it('accepts escaped pairs, raw astral characters and look-alikes that are not escapes', () => {
    assert.deepEqual(parseUntrustedJson('{"\\ud83d\\ude00":"\\uD83D\\uDE00"}'), { '\u{1f600}': '\u{1f600}' });
    assert.deepEqual(parseUntrustedJson('{"a":"\u{1f600}","b":"\\\\ud800"}'), { a: '\u{1f600}', b: '\\ud800' });
    assert.deepEqual(parseUntrustedJson('{"a":"\\u00e9\\ud7ff\\ue000"}'), { a: '\u00e9\ud7ff\ue000' });
  });
  it('rejects exactly the strings that are not well-formed, over any UTF-16 string JSON.stringify escapes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (name, value) => {
        const text = JSON.stringify({ [`n${name}`]: value, k: [value] });
        if (name.isWellFormed() && value.isWellFormed()) assert.deepEqual(parseUntrustedJson(text), JSON.parse(text));
        else assert.equal(failure(text).code, 'payload_ambiguous');
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseUntrustedJson: properties', () => {
  it('accepts any JSON text JSON.stringify writes and reads it as JSON.parse does (no false positives)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const text = JSON.stringify(value);
        if (hasForbiddenKey(value)) assert.equal(failure(text).code, 'payload_invalid');
        else assert.deepEqual(parseUntrustedJson(text), JSON.parse(text));
      }),
      { numRuns: 500 },
    );
  });
  it('accepts every double in its shortest form: -0, subnormals, extremes', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => {
        const parsed = parseUntrustedJson(`{"d":${String(d)}}`) as { d: number };
        assert.ok(Object.is(parsed.d, d) || (d === 0 && parsed.d === 0), `${d} read as ${parsed.d}`);
      }),
      { numRuns: 1000 },
    );
  });

  type Step = { array: true; index: number; length: number } | { array: false; key: string };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.nat({ max: 3 }).chain((index) => fc.nat({ max: 3 }).map((after): Step => ({ array: true, index, length: index + after + 1 }))),
    fc.string({ maxLength: 4 }).map((key): Step => ({ array: false, key })),
  );
  /** Places `inner` at `path` inside filler containers; returns the text and the pointer to `inner`. */
  function wrap(inner: string, path: readonly Step[]): { text: string; pointer: string } {
    let text = inner;
    let pointer = '';
    for (const s of [...path].reverse()) {
      if (s.array) {
        const items = Array.from({ length: s.length }, (_, i) => (i === s.index ? text : JSON.stringify({ filler: i })));
        text = `[${items.join(',')}]`;
        pointer = `/${s.index}${pointer}`;
      } else {
        text = `{"other":{"x":1},${JSON.stringify(s.key === 'other' ? `${s.key}_` : s.key)}:${text}}`;
        pointer = `/${escapePointer(s.key === 'other' ? `${s.key}_` : s.key)}${pointer}`;
      }
    }
    return { text, pointer: `#${pointer}` };
  }

  it('rejects any object with one of its member names repeated anywhere in it, at any depth, escaped or not', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 6, unit: 'binary' }), fc.jsonValue({ maxDepth: 2 }), { minKeys: 1, maxKeys: 12 }),
        fc.nat(),
        fc.nat(),
        fc.jsonValue({ maxDepth: 2 }),
        fc.boolean(),
        fc.array(step, { maxLength: 4 }),
        (object, which, where, value, escaped, path) => {
          const entries = Object.entries(object);
          fc.pre(entries.every(([k]) => k.isWellFormed()));
          const members = entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
          const key = entries[which % entries.length]![0];
          const at = where % (members.length + 1);
          members.splice(at, 0, `${escaped ? escapedKey(key) : JSON.stringify(key)}:${JSON.stringify(value)}`);
          const { text, pointer } = wrap(`{${members.join(',')}}`, path);
          const problem = ambiguity(text);
          assert.equal(problem.pointer, `${pointer}/${escapePointer(key)}`);
        },
      ),
      { numRuns: 500 },
    );
  });
  it('accepts every safe integer; rejects integers past 2^53 that no double holds', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.boolean(), (n, negative) => {
        assert.equal(parseUntrustedJson(String(n)), n);
        // An odd integer in (2^53, 2^54) lies between two doubles.
        const odd = (2n ** 53n + 1n + 2n * (BigInt(Math.abs(n)) % 2n ** 52n)) * (negative ? -1n : 1n);
        assert.equal(pointerOf(String(odd)), '#');
        // 19 significant digits ending in a non-zero digit: a double's shortest form has at most 17 (a round
        // number such as 1152921504606847000 is exactly String(2 ** 60) and is rightly accepted).
        let big = (BigInt(n) + 2n ** 60n) * (negative ? -1n : 1n);
        if (big % 10n === 0n) big += 1n;
        assert.equal(pointerOf(`{"n":${big}}`), '#/n');
      }),
      { numRuns: 500 },
    );
  });
  it('rejects any double written with more significant digits than it holds', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer({ min: 1, max: 9 }),
        fc.nat({ max: 5 }),
        (d, last, zeros) => {
          fc.pre(d !== 0);
          const [mantissa, exponent] = String(d).split('e') as [string, string | undefined];
          const longer = `${mantissa.includes('.') ? mantissa : `${mantissa}.`}${'0'.repeat(17 + zeros)}${last}${exponent === undefined ? '' : `e${exponent}`}`;
          assert.equal(pointerOf(`[${longer}]`), '#/0');
        },
      ),
      { numRuns: 500 },
    );
  });
  it('never throws anything but a MeshgateError on arbitrary text, and never hangs', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 80 }),
          fc
            .json({ maxDepth: 3 })
            .chain((t) =>
              fc
                .tuple(
                  fc.nat({ max: t.length }),
                  fc.nat({ max: t.length }),
                  fc.string({ unit: fc.constantFrom('{', '}', '[', ']', '"', '\\', ',', ':', '1', 'e', '-', '.'), maxLength: 3 }),
                )
                .map(([a, b, s]) => t.slice(0, Math.min(a, b)) + s + t.slice(Math.max(a, b))),
            ),
        ),
        (text) => {
          try {
            parseUntrustedJson(text);
          } catch (err) {
            assert.ok(err instanceof MeshgateError, String(err));
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
