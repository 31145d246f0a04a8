// Method and URL overrides: the header names and the parameter names web frameworks read another method or URL from.
import { MeshgateError } from '../errors';

/**
 * Header overrides (method-override, Symfony, IIS, Spring's HiddenHttpMethodFilter family, Traefik and nginx
 * auth_request conventions): the upstream would run another route than the one meshgate checked and bound in `req`.
 * Names as {@link canonicalHeaderName} gives them. Stripped, never forwarded.
 */
export const OVERRIDE_HEADERS: ReadonlySet<string> = new Set([
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
  'x-original-method',
  'x-forwarded-method',
  'x-original-url',
  'x-original-uri',
  'x-rewrite-url',
  'x-forwarded-uri',
]);

/** `X_Identity_Sub` → `x-identity-sub`: CGI-style servers (PHP, WSGI, Rack) read `_` and `-` as the same name. */
export const canonicalHeaderName = (name: string): string => name.toLowerCase().replaceAll('_', '-');

/**
 * Parameter overrides, matched on {@link canonicalParamName}: `_method` (Laravel, Symfony `http_method_override`,
 * Spring `HiddenHttpMethodFilter`, Rails/Rack, Phoenix, CakePHP, CodeIgniter, Yii, AdonisJS, Hono, Express
 * method-override), `_METHOD` (Slim), `__method`, `__METHOD_OVERRIDE__` (Werkzeug's recipe), and the header names
 * used as parameters (Jersey, custom getters). A plain `method` is a common business parameter and is not refused.
 */
const OVERRIDE_PARAM = /^(?:_+(?:http_)?method(?:_override)?_*|x_http_method(?:_override)?|x_method_override|http_method_override)$/;

/**
 * The name PHP (and so Laravel and Symfony) reads from a query or form field name, lowercased: leading spaces
 * dropped, `name[...]` read as `name`, and space, `.`, `[` and `-` read as `_` (PHP turns ` .method` into `_method`).
 *
 * @example
 * canonicalParamName(' .METHOD[]') // '_method'
 */
export function canonicalParamName(name: string): string {
  const trimmed = name.trimStart().toLowerCase();
  const bracket = trimmed.indexOf('[');
  const base = bracket > 0 && trimmed.indexOf(']', bracket) > 0 ? trimmed.slice(0, bracket) : trimmed;
  return base.replace(/[ .[-]/g, '_');
}

/**
 * Whether a query parameter, form field or top-level JSON member of this name makes some framework run another
 * method than the one meshgate checked.
 *
 * @example
 * isMethodOverrideParam('_method') // true
 * isMethodOverrideParam('method') // false
 */
export function isMethodOverrideParam(name: string): boolean {
  return /method/i.test(name) && OVERRIDE_PARAM.test(canonicalParamName(name));
}

const escapePointer = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');
const shorten = (s: string): string => (s.length > 40 ? `${s.slice(0, 40)}...` : s);

function refused(where: string, item: { parameter?: string; pointer?: string }): MeshgateError {
  return new MeshgateError('method_override_refused', `${shorten(where)} carries a method override`, {
    details: { errors: [{ ...item, detail: `${where} would make the service run another method than the one checked` }] },
  });
}

// Every `name` / `name*` parameter of a Content-Disposition field, folded lines included; quoted or not.
const DISPOSITION = /(?:^|\n)[ \t]*content-disposition[ \t]*:([^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)/gi;
const NAME_PARAM = /(?:^|;)\s*name(\*?)\s*=\s*(?:"((?:[^"\\]|\\.)*)"?|([^;\s]*))/gi;

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Every reading a multipart parser may give the part names: raw, unescaped, and RFC 5987 `name*` decoded. */
function* multipartNames(body: Buffer): Generator<string> {
  // latin1 keeps every byte at its position: the names that matter are ASCII, whatever the parts hold.
  const text = body.toString('latin1');
  for (const disposition of text.matchAll(DISPOSITION)) {
    for (const param of (disposition[1] as string).matchAll(NAME_PARAM)) {
      const raw = param[2] ?? param[3] ?? '';
      const unescaped = raw.replace(/\\(.)/g, '$1');
      yield raw;
      yield unescaped;
      if (param[1] === '*') yield safeDecode(unescaped.slice(unescaped.indexOf("''") + 2));
    }
  }
}

function formNames(mediaType: string, body: Buffer): Iterable<string> {
  if (mediaType === 'application/x-www-form-urlencoded') return new URLSearchParams(body.toString('latin1')).keys();
  if (mediaType === 'multipart/form-data') return multipartNames(body);
  return [];
}

/**
 * Refuses (400 `method_override_refused`) a query that names another method. Refused rather than stripped: the query
 * is bound in the assertion's `req` exactly as validated, and a rewritten request would no longer be the client's.
 *
 * @example
 * checkQueryOverride(new Map([['expand', ['items']]])); // passes
 * checkQueryOverride(new Map([['_method', ['DELETE']]])); // throws method_override_refused
 */
export function checkQueryOverride(query: ReadonlyMap<string, readonly string[]>): void {
  for (const name of query.keys()) if (isMethodOverrideParam(name)) throw refused(`query parameter ${name}`, { parameter: name });
}

/**
 * Refuses (400 `method_override_refused`) a body that names another method: a field of a form body
 * (`application/x-www-form-urlencoded`, `multipart/form-data`) or a top-level member of a JSON body (`json`, parsed;
 * Laravel reads a JSON body as its form input). Refused, not stripped: `body_sha256` binds the bytes as sent.
 *
 * @example
 * checkBodyOverride('application/x-www-form-urlencoded', Buffer.from('_method=DELETE'), undefined); // throws
 */
export function checkBodyOverride(mediaType: string, body: Buffer, json: unknown): void {
  if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
    for (const name of Object.keys(json))
      if (isMethodOverrideParam(name)) throw refused(`body member ${name}`, { pointer: `#/${escapePointer(name)}` });
  }
  for (const name of formNames(mediaType, body)) if (isMethodOverrideParam(name)) throw refused(`form field ${name}`, {});
}
