import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MeshgateError } from '../../src/errors';
import { canonicalParamName, checkBodyOverride, checkQueryOverride, isMethodOverrideParam } from '../../src/ingress/overrides';

const FORM = 'application/x-www-form-urlencoded';
const MULTIPART = 'multipart/form-data';

function refusal(fn: () => void): { parameter?: string; pointer?: string; detail: string } {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof MeshgateError);
    assert.equal(err.code, 'method_override_refused');
    return (err.details.errors as { parameter?: string; pointer?: string; detail: string }[])[0]!;
  }
  assert.fail('expected method_override_refused');
}

/** `_method` in any letter case, with one of the spellings PHP reads as its leading `_` (leading spaces dropped), and maybe `[]`. */
const overrideSpelling = fc
  .tuple(
    fc.constantFrom('_', '.', '__', ' _', ' .', '._'),
    fc.constantFrom('method', 'http_method', 'method_override', 'method-override'),
    fc.array(fc.boolean(), { minLength: 15, maxLength: 15 }),
    fc.constantFrom('', '[]', '[x]', '__'),
  )
  .map(([lead, word, upper, tail]) => lead + [...word].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('') + tail);

describe('Method overrides in parameters and bodies (src/ingress/overrides.ts)', () => {
  it('reads parameter names as PHP does before matching', () => {
    assert.equal(canonicalParamName(' .METHOD[]'), '_method');
    assert.equal(canonicalParamName('_method[a][b]'), '_method');
    assert.equal(canonicalParamName('x-http-method-override'), 'x_http_method_override');
  });

  it('matches the names frameworks read, not business parameters', () => {
    for (const name of [
      '_method',
      '_METHOD',
      '__method',
      '__METHOD_OVERRIDE__',
      '_http_method',
      'X-HTTP-Method-Override',
      'x_method_override',
    ])
      assert.equal(isMethodOverrideParam(name), true, name);
    for (const name of ['method', 'payment_method', 'methods', 'http_method', '_methodology', 'm_ethod', ''])
      assert.equal(isMethodOverrideParam(name), false, name);
  });

  it('refuses a query override and names the parameter', () => {
    assert.deepEqual(
      refusal(() =>
        checkQueryOverride(
          new Map([
            ['a', ['1']],
            ['_method', ['DELETE']],
          ]),
        ),
      ).parameter,
      '_method',
    );
    checkQueryOverride(new Map([['method', ['card']]]));
  });

  it('refuses a top-level JSON member with its pointer, but not a nested one or an array', () => {
    assert.equal(
      refusal(() => checkBodyOverride('application/json', Buffer.from(''), { 'a/_method': 1, _method: 'PUT' })).pointer,
      '#/_method',
    );
    checkBodyOverride('application/json', Buffer.from(''), { note: { _method: 'PUT' } });
    checkBodyOverride('application/json', Buffer.from(''), [{ _method: 'PUT' }]);
  });

  it('reads form fields only from form media types', () => {
    refusal(() => checkBodyOverride(FORM, Buffer.from('a=1&%5f%4dethod=DELETE'), undefined));
    checkBodyOverride('text/plain', Buffer.from('_method=DELETE'), undefined);
    checkBodyOverride(FORM, Buffer.from('title=_method&method=card'), undefined);
  });

  it('finds multipart names however a parser may read them, never in part content or file names', () => {
    const part = (disposition: string): Buffer => Buffer.from(`--b\r\nContent-Disposition: ${disposition}\r\n\r\nDELETE\r\n--b--\r\n`);
    for (const d of [
      'form-data; name="_method"',
      'form-data; NAME = _method',
      'form-data;\r\n\tname="_METHOD"',
      "form-data; name*=UTF-8''%5Fmethod",
      'form-data; name="\\_method"',
    ])
      refusal(() => checkBodyOverride(MULTIPART, part(d), undefined));
    checkBodyOverride(MULTIPART, part('form-data; name="file"; filename="_method"'), undefined);
    checkBodyOverride(MULTIPART, Buffer.from('--b\r\nContent-Disposition: form-data; name="t"\r\n\r\n_method\r\n--b--\r\n'), undefined);
  });

  it('refuses every spelling of the override once re-encoded into a query, a urlencoded form or a multipart part', () => {
    fc.assert(
      fc.property(overrideSpelling, fc.string(), (name, value) => {
        assert.equal(isMethodOverrideParam(name), true, name);
        // The query as API Gateway hands it over: decoded from the encoding the client chose.
        const query = new Map(
          [...new URLSearchParams(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`)].map(([k, v]) => [k, [v]]),
        );
        refusal(() => checkQueryOverride(query));
        refusal(() =>
          checkBodyOverride(
            FORM,
            Buffer.from(
              new URLSearchParams([
                ['x', value],
                [name, value],
              ]).toString(),
            ),
            undefined,
          ),
        );
        const quoted = name.replace(/["\\]/g, (c) => `\\${c}`);
        refusal(() =>
          checkBodyOverride(
            MULTIPART,
            Buffer.from(`--b\r\nContent-Disposition: form-data; name="${quoted}"\r\n\r\nx\r\n--b--\r\n`),
            undefined,
          ),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('never refuses a name without "method" in it', () => {
    fc.assert(
      fc.property(fc.string(), (name) => {
        fc.pre(!/method/i.test(name));
        assert.equal(isMethodOverrideParam(name), false);
        checkQueryOverride(new Map([[name, ['DELETE']]]));
        checkBodyOverride(FORM, Buffer.from(new URLSearchParams([[name, 'DELETE']]).toString()), { [name]: 1 });
      }),
      { numRuns: 300 },
    );
  });
});
