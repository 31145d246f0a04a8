// JSON.parse for untrusted bodies: bounded nesting, finite numbers, no `__proto__` / `constructor` keys.
import { MeshgateError } from '../errors';

/** Deeper bodies are refused before parsing: legitimate payloads rarely nest past a dozen levels. */
export const MAX_JSON_DEPTH = 64;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor']);
// Only texts that could hold a forbidden key pay for the reviver; `\u` because a key may be escaped (`"\u005f_proto__"`).
const MAYBE_FORBIDDEN = /__proto__|constructor|\\u/;

function malformed(message: string): MeshgateError {
  return new MeshgateError('payload_malformed', message);
}

function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d;
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
 * One linear pass outside strings, before JSON.parse: nesting depth (so 10 000 levels never reach a recursive
 * step) and numbers that overflow to ±Infinity (`1e400`), which JSON.parse would accept silently.
 */
function prescan(text: string, maxDepth: number): void {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      i = stringEnd(text, i);
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) throw malformed(`body nests deeper than ${maxDepth} levels`);
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let j = i + 1;
      while (j < text.length && isNumberChar(text.charCodeAt(j))) j++;
      const token = text.slice(i, j);
      if ((j - i > 300 || /[eE]/.test(token)) && !Number.isFinite(Number(token))) {
        throw new MeshgateError('payload_invalid', 'body holds a number too large to represent');
      }
      i = j - 1;
    }
  }
}

function rejectForbiddenKeys(key: string, value: unknown): unknown {
  if (FORBIDDEN_KEYS.has(key)) throw new MeshgateError('payload_invalid', `property name "${key}" is not allowed`);
  return value;
}

/**
 * Parses an untrusted JSON text. Throws `payload_malformed` for bad syntax or excessive nesting, and
 * `payload_invalid` for `__proto__` / `constructor` keys and numbers that overflow.
 *
 * @example
 * const body = parseUntrustedJson('{"sku":"A-1","quantity":2}');
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
