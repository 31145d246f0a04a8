// Percent-encoding (UTF-8, RFC 3986 §2.1) of what a pattern marks unsafe: for forwarded paths and identity headers.

// encodeURIComponent leaves !'()* as they are: a pattern that marks them unsafe still gets them encoded.
const encodeSubDelim = (c: string): string => `%${c.charCodeAt(0).toString(16).toUpperCase()}`;

function encodeChar(ch: string): string {
  try {
    return encodeURIComponent(ch).replace(/[!'()*]/g, encodeSubDelim);
  } catch {
    return '%EF%BF%BD'; // a lone surrogate has no UTF-8 form: U+FFFD, as WHATWG URL does
  }
}

/**
 * Replaces every match of `unsafe` (a global pattern matching one character or code point each) by its UTF-8
 * percent-encoding. Everything else is kept as it is, so callers choose what stays readable.
 *
 * @example
 * percentEncode('Zoë x', /[^A-Za-z]/gu) // 'Zo%C3%AB%20x'
 */
export function percentEncode(text: string, unsafe: RegExp): string {
  return text.replace(unsafe, encodeChar);
}
