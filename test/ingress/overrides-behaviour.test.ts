import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MeshgateError } from '../../src/errors';
import { checkBodyOverride, checkQueryOverride } from '../../src/ingress/overrides';
import { meshgateError } from '../support/thrown';

const refusal = (run: () => void): MeshgateError => meshgateError(run, 'method_override_refused');

const answers = (run: () => void, refuses: boolean): void => {
  if (refuses) refusal(run);
  else run();
};

const multipart = (head: string): Buffer => Buffer.from(`${head}\r\n\r\nDELETE\r\n--b--\r\n`, 'latin1');

describe('checkQueryOverride: parameter names as PHP reads them', () => {
  const cases: [string, boolean][] = [
    ['x-http-method', true],
    ['X_HTTP_METHOD', true],
    ['x_http_method_override', true],
    ['x_http[method', true],
    ['_method[]', true],
    ['_method[a]', true],
    ['_method_]', false],
    ['x_method', false],
    ['method', false],
  ];
  for (const [name, refusedName] of cases) {
    it(`${refusedName ? 'refuses' : 'accepts'} the query parameter ${name}`, () => {
      answers(() => checkQueryOverride(new Map([[name, ['DELETE']]])), refusedName);
    });
  }

  it('names the parameter in the problem, and shortens a long name in the title', () => {
    const name = `_method[${'a'.repeat(60)}]`;
    const err = refusal(() => checkQueryOverride(new Map([[name, ['DELETE']]])));
    assert.equal(err.message, `query parameter ${name.slice(0, 24)}... carries a method override`);
    assert.deepEqual(err.details, {
      errors: [{ parameter: name, detail: `query parameter ${name} would make the service run another method than the one checked` }],
    });
  });

  it('keeps a title of exactly 40 characters whole', () => {
    const name = `_method[${'a'.repeat(15)}]`;
    assert.equal(`query parameter ${name}`.length, 40);
    assert.equal(refusal(() => checkQueryOverride(new Map([[name, ['x']]]))).message, `query parameter ${name} carries a method override`);
  });
});

describe('checkBodyOverride: JSON members and form fields', () => {
  it('points at a top-level JSON member with ~ and / escaped', () => {
    const name = '_method[a~b/c]';
    const err = refusal(() => checkBodyOverride('application/json', Buffer.from('{}'), { [name]: 'DELETE' }));
    assert.equal(err.message, 'body member _method[a~b/c] carries a method override');
    assert.deepEqual(err.details, {
      errors: [
        { pointer: '#/_method[a~0b~1c]', detail: `body member ${name} would make the service run another method than the one checked` },
      ],
    });
  });

  it('names a form field in the problem', () => {
    const err = refusal(() => checkBodyOverride('application/x-www-form-urlencoded', Buffer.from('a=1&_method=DELETE'), undefined));
    assert.equal(err.message, 'form field _method carries a method override');
    assert.deepEqual(err.details, {
      errors: [{ detail: 'form field _method would make the service run another method than the one checked' }],
    });
  });

  const parts: [string, string, boolean][] = [
    ['a plain part name', '--b\r\nContent-Disposition: form-data; name="_method"', true],
    ['a header at the very start of the body', 'Content-Disposition: form-data; name="_method"', true],
    ['an indented header', '--b\n  Content-Disposition: form-data; name="_method"', true],
    ['a space before the colon', '--b\r\nContent-Disposition : form-data; name="_method"', true],
    ['a name folded onto the next line with a bare LF', '--b\r\nContent-Disposition: form-data;\n name="_method"', true],
    ['a name as the first parameter', '--b\r\nContent-Disposition: name="_method"', true],
    ['an unterminated quoted name', '--b\r\nContent-Disposition: form-data; name="_method', true],
    ['an escaped quoted name', '--b\r\nContent-Disposition: form-data; name="\\_method"', true],
    ['an RFC 5987 name*', "--b\r\nContent-Disposition: form-data; name*=UTF-8''%5Fmethod", true],
    ['an unquoted name', '--b\r\nContent-Disposition: form-data; name=_METHOD', true],
    ['an ordinary field', '--b\r\nContent-Disposition: form-data; name="x_method"', false],
    ['a name* that is not percent-encoded', "--b\r\nContent-Disposition: form-data; name*=UTF-8''%zz", false],
    // A parser that keeps a name it cannot decode as written reads this as _method[...], an override.
    ['a name* that does not decode, kept as written', "--b\r\nContent-Disposition: form-data; name*=UTF-8''_method[%]", true],
  ];
  for (const [name, head, refusedPart] of parts) {
    it(`${refusedPart ? 'refuses' : 'accepts'} a multipart body with ${name}`, () => {
      answers(() => checkBodyOverride('multipart/form-data', multipart(head), undefined), refusedPart);
    });
  }

  it('reads form fields only from form media types', () => {
    const head = '--b\r\nContent-Disposition: form-data; name="_method"';
    checkBodyOverride('text/plain', multipart(head), undefined);
    checkBodyOverride('application/octet-stream', Buffer.from('_method=DELETE'), undefined);
  });
});
