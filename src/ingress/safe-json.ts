// JSON.parse for untrusted bodies: bounded nesting, finite and exact numbers, unique member names, well-formed
// strings, no `__proto__` / `constructor` keys.
import { MeshgateError } from '../errors';

/** Deeper bodies are refused before parsing: legitimate payloads rarely nest past a dozen levels. */
export const MAX_JSON_DEPTH = 64;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor']);
// Only texts that could hold a forbidden key pay for the reviver; `\u` because a key may be escaped (`"\u005f_proto__"`).
const MAYBE_FORBIDDEN = /__proto__|constructor|\\u/;

// Only texts with a `\uD800`-`\uDFFF` escape somewhere pay for the per-string surrogate check.
const MAYBE_SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/** DBL_DIG: any decimal of at most 15 significant digits survives the trip through a double and back. */
const DBL_DIG = 15;
/** Objects with more member names than this look names up in a Set instead of a short array. */
const SMALL_OBJECT = 8;
/** The index of an object frame; array frames hold the index of their current element (0, 1, ...). */
const IN_OBJECT = -1;
/** A JSON number (leading zeros tolerated: JSON.parse rejects them later), and the shape `String(number)` gives. */
const DECIMAL = /^-?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

function malformed(message: string): MeshgateError {
  return new MeshgateError('payload_malformed', message);
}

function ambiguous(pointer: string, detail: string): MeshgateError {
  return new MeshgateError('payload_ambiguous', `body can be read more than one way: ${detail}`, {
    details: { errors: [{ pointer, detail }] },
  });
}

const shorten = (s: string): string => (s.length > 40 ? `${s.slice(0, 40)}...` : s);
const escapePointer = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');

function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2b || c === 0x2d;
}

/** Index of the quote that closes the string opened at `start`. */
function stringEnd(text: string, start: number): number {
  let j = start + 1;
  for (;;) {
    j = text.indexOf('"', j);
    if (j < 0) throw malformed('body is not valid JSON: unterminated string');
    let backslashes = 0;
    for (let k = j - 1; text.charCodeAt(k) === 0x5c; k--) backslashes++;
    if (backslashes % 2 === 0) return j;
    j++;
  }
}

/**
 * The magnitude of a finite decimal as `0.digits × 10^exponent`, digits without leading or trailing zeros; zero has no
 * digits. No sign: a token and its double always share it (zero aside, whose sign JSON readers agree to drop).
 */
interface Decimal {
  readonly digits: string;
  readonly exponent: number;
}

function decimalOf(token: string): Decimal | undefined {
  const m = DECIMAL.exec(token);
  if (m === null) return undefined;
  const whole = m[1] as string;
  const all = whole + (m[2] ?? '');
  let first = 0;
  while (first < all.length && all.charCodeAt(first) === 0x30) first++;
  let last = all.length;
  while (last > first && all.charCodeAt(last - 1) === 0x30) last--;
  return { digits: all.slice(first, last), exponent: whole.length - first + Number(m[3] ?? 0) };
}

/**
 * Whether a number token means exactly the double it parses to: its decimal value equals that of the double's
 * shortest round-trip form (`String(value)`), the sign of zero aside. Throws `payload_malformed` for a token
 * that is no number at all.
 */
function isExactNumber(token: string, value: number): boolean {
  const text = String(value);
  // Most serialisers write the shortest form themselves: equal text is the common, cheap answer.
  if (text === token) return true;
  const literal = decimalOf(token);
  const shortest = decimalOf(text);
  if (literal === undefined || shortest === undefined) throw malformed('body is not valid JSON');
  // Zero has no digits and any exponent (`0e5`).
  if (shortest.digits === '') return literal.digits === '';
  return literal.digits === shortest.digits && literal.exponent === shortest.exponent;
}

/** Where the prescan is: per open container, its current member name or element index, and the names seen. */
interface Frames {
  /** `IN_OBJECT`, or the current element's index in an array. */
  readonly index: number[];
  /** The current member name of each open object (decoded). */
  readonly key: string[];
  /** The member names seen so far, one array per depth reused by every object opened at that depth. */
  readonly names: string[][];
  /** Replaces `names` at a depth once an object there outgrows `SMALL_OBJECT`. */
  readonly bigNames: (Set<string> | undefined)[];
}

/** The JSON Pointer, in the fragment form of schema errors (`#/lines/0/sku`), of the current value at `depth`. */
function pointerAt(frames: Frames, depth: number): string {
  let pointer = '#';
  for (let d = 0; d < depth; d++) {
    const index = frames.index[d] as number;
    pointer += `/${index === IN_OBJECT ? escapePointer(frames.key[d] as string) : index}`;
  }
  return pointer;
}

function openObject(frames: Frames, d: number): void {
  frames.index[d] = IN_OBJECT;
  (frames.names[d] ??= []).length = 0;
  frames.bigNames[d]?.clear();
}

/** Records a member name of the object at depth `d`; false when the object already has it. */
function addName(frames: Frames, d: number, name: string): boolean {
  const big = frames.bigNames[d];
  // Once an object at depth `d` outgrew the short list, every later one there uses the (cleared) Set too.
  if (big !== undefined) {
    if (big.has(name)) return false;
    big.add(name);
    return true;
  }
  const names = frames.names[d] as string[];
  if (names.includes(name)) return false;
  if (names.length < SMALL_OBJECT) {
    names.push(name);
    return true;
  }
  const set = new Set(names);
  frames.bigNames[d] = set;
  set.add(name);
  return true;
}

const hexUnit = (text: string, at: number): number => Number.parseInt(text.slice(at, at + 4), 16);
const isHigh = (unit: number): boolean => unit >= 0xd800 && unit <= 0xdbff;
const isLow = (unit: number): boolean => unit >= 0xdc00 && unit <= 0xdfff;

/**
 * Whether the string between the quotes at `start` and `end` holds a `\u` escape of a lone surrogate: a high one not
 * followed by an escaped low one, or a low one on its own (an escaped pair such as `\ud83d\ude00` is one character).
 * Raw lone surrogates never get here (the body is well-formed UTF-16 / valid UTF-8), so only escapes can pair.
 */
function hasLoneSurrogateEscape(text: string, start: number, end: number): boolean {
  for (let k = text.indexOf('\\', start); k >= 0 && k < end; k = text.indexOf('\\', k)) {
    if (text.charCodeAt(k + 1) !== 0x75) {
      k += 2;
      continue;
    }
    const unit = hexUnit(text, k + 2);
    if (isLow(unit)) return true;
    if (isHigh(unit)) {
      if (text.charCodeAt(k + 6) !== 0x5c || text.charCodeAt(k + 7) !== 0x75 || !isLow(hexUnit(text, k + 8))) return true;
      k += 12;
    } else k += 6;
  }
  return false;
}

/** The member name whose quotes are at `start` and `end`: decoded only when it holds an escape. */
function memberName(text: string, start: number, end: number): string {
  const raw = text.slice(start + 1, end);
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    throw malformed('body is not valid JSON');
  }
}

function checkNumber(token: string, frames: Frames, depth: number): void {
  const value = Number(token);
  if (Number.isNaN(value)) throw malformed('body is not valid JSON');
  if (!Number.isFinite(value)) throw new MeshgateError('payload_invalid', 'body holds a number too large to represent');
  if (!isExactNumber(token, value)) throw ambiguous(pointerAt(frames, depth), `number ${shorten(token)} cannot be represented exactly`);
}

/**
 * One linear pass outside strings, before JSON.parse: nesting depth (so 10 000 levels never reach a recursive
 * step), numbers that overflow to ±Infinity (`1e400`), which JSON.parse would accept silently, and what parsers
 * disagree on: a repeated member name (JSON.parse keeps the last, others the first) and a number a double cannot
 * hold exactly (`2.0000000000000001`, `9007199254740993`, `1e-400`), and a string that escapes a lone surrogate
 * (`"\ud800"`: U+FFFD to Go, an error to Rust, itself to JavaScript). On malformed text it may throw any
 * MeshgateError; JSON.parse reports the syntax error otherwise.
 */
function prescan(text: string, maxDepth: number): void {
  const frames: Frames = { index: [], key: [], names: [], bigNames: [] };
  let depth = 0;
  let expectKey = false;
  const surrogates = MAYBE_SURROGATE_ESCAPE.test(text);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const end = stringEnd(text, i);
      // Go's encoding/json reads every lone surrogate as U+FFFD (two names become one), serde_json refuses it.
      if (surrogates && hasLoneSurrogateEscape(text, i, end)) {
        if (expectKey) frames.key[depth - 1] = memberName(text, i, end);
        throw ambiguous(pointerAt(frames, depth), `a ${expectKey ? 'member name' : 'string'} escapes a lone surrogate`);
      }
      if (expectKey) {
        expectKey = false;
        const name = memberName(text, i, end);
        frames.key[depth - 1] = name;
        if (!addName(frames, depth - 1, name))
          throw ambiguous(pointerAt(frames, depth), `member name ${JSON.stringify(shorten(name))} repeats`);
      }
      i = end;
    } else if (c === 0x2c) {
      const index = frames.index[depth - 1];
      if (index === IN_OBJECT) expectKey = true;
      else if (index !== undefined) frames.index[depth - 1] = index + 1;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) throw malformed(`body nests deeper than ${maxDepth} levels`);
      if (c === 0x7b) openObject(frames, depth - 1);
      else frames.index[depth - 1] = 0;
      expectKey = c === 0x7b;
    } else if (c === 0x7d || c === 0x5d) {
      if (depth === 0 || (frames.index[depth - 1] === IN_OBJECT) !== (c === 0x7d)) throw malformed('body is not valid JSON');
      depth--;
      expectKey = false;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      if (expectKey) throw malformed('body is not valid JSON');
      let j = i + 1;
      let exponent = false;
      for (; j < text.length; j++) {
        const d = text.charCodeAt(j);
        if (d === 0x65 || d === 0x45) exponent = true;
        else if (!isNumberChar(d)) break;
      }
      // Fast path: at most DBL_DIG characters without an exponent hold at most DBL_DIG digits, always exact.
      if (j - i > DBL_DIG || exponent) checkNumber(text.slice(i, j), frames, depth);
      i = j - 1;
    }
  }
}

function rejectForbiddenKeys(key: string, value: unknown): unknown {
  if (FORBIDDEN_KEYS.has(key)) throw new MeshgateError('payload_invalid', `property name "${key}" is not allowed`);
  return value;
}

/**
 * Parses an untrusted JSON text so that the value means what any other JSON parser would read from the same bytes.
 * Throws `payload_malformed` for bad syntax or excessive nesting, `payload_invalid` for `__proto__` /
 * `constructor` keys and numbers that overflow, and `payload_ambiguous` (with the JSON Pointer in
 * `details.errors`) for a repeated member name, a number a double cannot hold exactly, or an escaped lone surrogate.
 *
 * @example
 * const body = parseUntrustedJson('{"sku":"A-1","quantity":2}');
 * parseUntrustedJson('{"sku":"../x","sku":"A-1"}'); // throws payload_ambiguous, pointer "#/sku"
 */
export function parseUntrustedJson(text: string, maxDepth: number = MAX_JSON_DEPTH): unknown {
  prescan(text, maxDepth);
  try {
    return MAYBE_FORBIDDEN.test(text) ? (JSON.parse(text, rejectForbiddenKeys) as unknown) : (JSON.parse(text) as unknown);
  } catch (err) {
    if (err instanceof MeshgateError) throw err;
    throw malformed('body is not valid JSON');
  }
}
