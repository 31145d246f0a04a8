// The token request body: application/x-www-form-urlencoded, each parameter at most once (RFC 6749 §3.2), bounded.
import { refuse } from './oauth-error';

/** Longest accepted request body: two assertions and an actor token fit many times over. */
export const MAX_FORM_BYTES = 16 * 1024;
const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded';

/** The content type, lowercased, without parameters (a `charset` must be UTF-8 if given). */
function mediaTypeOk(contentType: readonly string[] | undefined): boolean {
  if (contentType === undefined || contentType.length !== 1) return false;
  const [type, ...params] = (contentType[0] as string).split(';').map((p) => p.trim().toLowerCase());
  if (type !== FORM_MEDIA_TYPE) return false;
  return params.every((p) => p === '' || p === 'charset=utf-8' || p === 'charset="utf-8"');
}

function decodeComponent(text: string): string | undefined {
  // Tokens are base64url: most values need no decoding at all.
  if (!/[%+]/.test(text)) return text;
  try {
    const decoded = decodeURIComponent(text.replaceAll('+', ' '));
    return decoded.isWellFormed() ? decoded : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Parses the form. Refuses (`invalid_request`): another content type, a body over {@link MAX_FORM_BYTES}, a
 * malformed percent-escape or invalid UTF-8, and any parameter given more than once ("Request and response
 * parameters MUST NOT be included more than once", RFC 6749 §3.1). An empty value counts as absent (§3.1).
 *
 * @example
 * parseTokenForm(['application/x-www-form-urlencoded'], Buffer.from('grant_type=x&scope=a+b')).get('scope') // 'a b'
 */
export function parseTokenForm(contentType: readonly string[] | undefined, body: Buffer | undefined): Map<string, string> {
  if (!mediaTypeOk(contentType))
    throw refuse('invalid_request', 'content_type', `the token request must be ${FORM_MEDIA_TYPE} (UTF-8), sent once`);
  if (body === undefined || body.length === 0) throw refuse('invalid_request', 'body_empty', 'the token request has no body');
  if (body.length > MAX_FORM_BYTES) throw refuse('invalid_request', 'body_too_large', `the token request is over ${MAX_FORM_BYTES} bytes`);
  // A urlencoded form is visible ASCII by construction: anything else is percent-encoded (and checked as UTF-8 below).
  const text = body.toString('latin1');
  if (/[^\x20-\x7e]/.test(text)) throw refuse('invalid_request', 'body_encoding', 'the token request holds bytes a form never has raw');
  const params = new Map<string, string>();
  const seen = new Set<string>();
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeComponent(eq === -1 ? pair : pair.slice(0, eq));
    const value = decodeComponent(eq === -1 ? '' : pair.slice(eq + 1));
    if (name === undefined || value === undefined)
      throw refuse('invalid_request', 'form_malformed', 'the token request holds a malformed percent-encoding');
    if (seen.has(name)) throw refuse('invalid_request', 'parameter_repeated', `parameter ${name.slice(0, 40)} is given more than once`);
    seen.add(name);
    if (value !== '') params.set(name, value);
  }
  return params;
}
