// The token request as data: the urlencoded form parser and the exchange parameters, each refusal by its code and reason.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT_TYPE, bodyDigest } from '@meshgate/consumer';
import { MAX_FORM_BYTES, parseTokenForm } from '../../src/exchange/form';
import { boundTarget, readExchangeParams } from '../../src/exchange/params';
import { assertRefusal } from './refusal';
import { exchangeForm } from './support';

const FORM = 'application/x-www-form-urlencoded';
const parse = (body: string | Buffer, contentType: readonly string[] | undefined = [FORM]) =>
  parseTokenForm(contentType, typeof body === 'string' ? Buffer.from(body, 'latin1') : body);
const asObject = (form: Map<string, string>) => Object.fromEntries(form);

/** The standard exchange parameters (orders asks for payments, POST /charges), with overrides; undefined removes one. */
const params = (overrides: Record<string, string | undefined> = {}) =>
  readExchangeParams(new Map(Object.entries(exchangeForm('subject.jws.token', overrides))));
const digest43 = bodyDigest('{"amount":5}');

describe('Function: parseTokenForm (content type)', () => {
  it('accepts the form media type in any case, with spaces, an empty parameter or a UTF-8 charset', () => {
    for (const contentType of [
      FORM,
      'Application/X-WWW-Form-URLEncoded',
      ` ${FORM} `,
      `${FORM};`,
      `${FORM} ; charset=utf-8`,
      `${FORM};charset=UTF-8`,
      `${FORM}; charset="utf-8"`,
      `${FORM}; Charset="UTF-8";`,
    ])
      assert.deepEqual(asObject(parse('a=1', [contentType])), { a: '1' }, contentType);
  });

  it('refuses another media type, another charset or parameter, none, or the header sent twice', () => {
    assertRefusal(() => parseTokenForm(undefined, Buffer.from('a=1')), 'invalid_request', 'content_type', 'no content type');
    for (const contentType of [
      [],
      ['application/json'],
      ['multipart/form-data; boundary=x'],
      [`${FORM}x`],
      [`${FORM}; charset=iso-8859-1`],
      [`${FORM}; charset=utf-8; boundary=x`],
      [`${FORM}; charset=utf-8x`],
      [`${FORM}, text/plain`],
      [FORM, FORM],
    ])
      assertRefusal(() => parse('a=1', contentType), 'invalid_request', 'content_type', JSON.stringify(contentType));
  });
});

describe('Function: parseTokenForm (body)', () => {
  it('refuses a missing or empty body', () => {
    assertRefusal(() => parseTokenForm([FORM], undefined), 'invalid_request', 'body_empty');
    assertRefusal(() => parseTokenForm([FORM], Buffer.alloc(0)), 'invalid_request', 'body_empty');
  });

  it('accepts a body of exactly the limit and refuses one byte more', () => {
    const full = `a=${'x'.repeat(MAX_FORM_BYTES - 2)}`;
    assert.equal(parse(full).get('a')?.length, MAX_FORM_BYTES - 2);
    assertRefusal(() => parse(`${full}x`), 'invalid_request', 'body_too_large');
  });

  it('takes the visible ASCII range as it is, a raw space included', () => {
    assert.deepEqual(asObject(parse('a=1 2&b=~!')), { a: '1 2', b: '~!' });
  });

  it('refuses raw bytes a urlencoded form never holds: controls, DEL, tab, raw UTF-8', () => {
    for (const raw of ['a=1\nb=2', 'a=1\r\n', 'a=\x00', 'a=\x7f', 'a=\tb', '\x1fa=1'])
      assertRefusal(() => parse(raw), 'invalid_request', 'body_encoding', JSON.stringify(raw));
    assertRefusal(() => parse(Buffer.from('scope=caf\u00e9', 'utf8')), 'invalid_request', 'body_encoding', 'raw UTF-8');
    assertRefusal(() => parse(Buffer.from([0x61, 0x3d, 0xff])), 'invalid_request', 'body_encoding', 'raw 0xff');
  });
});

describe('Function: parseTokenForm (pairs and decoding)', () => {
  it('decodes percent-escapes and + in names and values', () => {
    assert.deepEqual(asObject(parse('scope=a+b%20c&x=%41%e2%82%ac&sub%5Fject=1&plus=%2B&sp=+')), {
      scope: 'a b c',
      x: 'A\u20ac',
      sub_ject: '1',
      plus: '+',
      sp: ' ',
    });
  });

  it('splits each pair at its first =, and a one-letter name is still a name', () => {
    assert.deepEqual(asObject(parse('a=1&b==2&c=x=y')), { a: '1', b: '=2', c: 'x=y' });
  });

  it('reads a pair without = and a pair with an empty value as absent', () => {
    assert.deepEqual(asObject(parse('flag&a=1&empty=&b=2')), { a: '1', b: '2' });
    assert.deepEqual(asObject(parse('abc&ab=1')), { ab: '1' }, 'a name without = is the whole pair');
  });

  it('skips empty pairs, however many', () => {
    assert.deepEqual(asObject(parse('&a=1&&&b=2&')), { a: '1', b: '2' });
  });

  it('refuses a malformed percent-escape or invalid UTF-8, in a name or a value', () => {
    for (const body of ['a=%', 'a=%4', 'a=%zz', 'a=x%', '%', '%zz=1', '%=1', 'a=%FF', 'a=%C3', 'a=%ED%A0%80', '%FF=1'])
      assertRefusal(() => parse(body), 'invalid_request', 'form_malformed', body);
  });

  it('refuses a parameter given twice, empty or not, encoded or not', () => {
    for (const body of ['a=1&a=2', 'a=1&a=1', 'a=1&a=', 'a=&a=1', 'a&a=1', '%61=1&a=2', 'a+b=1&a%20b=2'])
      assertRefusal(() => parse(body), 'invalid_request', 'parameter_repeated', body);
  });
});

describe('Function: readExchangeParams (required parameters)', () => {
  it('reads the parameters of a complete request', () => {
    assert.deepEqual(params({ actor_token: 'at.jws.x', actor_token_type: ACCESS_TOKEN_TYPE, scope: 'payments:charge' }), {
      subjectToken: 'subject.jws.token',
      audience: 'payments-service',
      scopes: ['payments:charge'],
      request: { method: 'POST', path: '/charges', canonicalQuery: '', bodySha256: bodyDigest(undefined) },
      actorToken: 'at.jws.x',
    });
  });

  it('refuses a request missing any required parameter', () => {
    for (const name of ['grant_type', 'subject_token', 'subject_token_type', 'audience', 'request_method', 'request_target'])
      assertRefusal(() => params({ [name]: undefined }), 'invalid_request', 'parameter_missing', name);
  });

  it('refuses any parameter given twice in the body', () => {
    const form = exchangeForm('subject.jws.token', { body_sha256: digest43, scope: 'payments:charge' });
    for (const name of Object.keys(form)) {
      const body = `${new URLSearchParams(form).toString()}&${name}=${encodeURIComponent(form[name]!)}`;
      assertRefusal(() => readExchangeParams(parse(body)), 'invalid_request', 'parameter_repeated', name);
    }
  });

  it('refuses another grant type as unsupported', () => {
    for (const grantType of ['client_credentials', `${TOKEN_EXCHANGE_GRANT_TYPE}x`, TOKEN_EXCHANGE_GRANT_TYPE.toUpperCase()])
      assertRefusal(() => params({ grant_type: grantType }), 'unsupported_grant_type', 'grant_type', grantType);
  });

  it('refuses a subject token type other than a JWT', () => {
    for (const type of [ACCESS_TOKEN_TYPE, 'urn:ietf:params:oauth:token-type:id_token', `${JWT_TOKEN_TYPE} `])
      assertRefusal(() => params({ subject_token_type: type }), 'invalid_request', 'subject_token_type', type);
  });

  it('refuses a resource parameter: the target is named by its audience', () => {
    assertRefusal(() => params({ resource: 'https://payments.example.com/' }), 'invalid_request', 'resource_unsupported');
  });

  it('takes an HTTP method of 1 to 16 upper-case letters, and nothing around it', () => {
    for (const method of ['GET', 'X', 'ABCDEFGHIJKLMNOP']) assert.equal(params({ request_method: method }).request.method, method);
    for (const method of ['get', 'Post', 'xPOST', 'POSTx', 'POST ', ' POST', 'GET\r\nX-Evil: 1', 'ABCDEFGHIJKLMNOPQ', 'PO-ST', 'GET1'])
      assertRefusal(() => params({ request_method: method }), 'invalid_request', 'method_malformed', JSON.stringify(method));
  });
});

describe('Function: readExchangeParams (actor token and body digest)', () => {
  it('refuses an actor token without its type, a type without a token, or a type that is not an access token', () => {
    assertRefusal(() => params({ actor_token: 'at.jws.x' }), 'invalid_request', 'actor_token_type', 'token alone');
    assertRefusal(() => params({ actor_token_type: ACCESS_TOKEN_TYPE }), 'invalid_request', 'actor_token_type', 'type alone');
    assertRefusal(() => params({ actor_token: 'at.jws.x', actor_token_type: JWT_TOKEN_TYPE }), 'invalid_request', 'actor_token_type');
    assert.equal(params().actorToken, undefined);
  });

  it('binds the digest of no body unless body_sha256 is given, and takes a 43-character base64url digest as sent', () => {
    assert.equal(params().request.bodySha256, bodyDigest(undefined));
    assert.equal(params({ body_sha256: digest43 }).request.bodySha256, digest43);
    assert.equal(params({ body_sha256: `-_${'A'.repeat(41)}` }).request.bodySha256, `-_${'A'.repeat(41)}`);
  });

  it('refuses a body_sha256 of another shape: length, padding, base64 (not url) characters, anything around it', () => {
    for (const bad of [
      digest43.slice(1),
      `${digest43}A`,
      `A${digest43}`,
      `${digest43.slice(0, 42)}=`,
      `${digest43}=`,
      `+/${digest43.slice(2)}`,
      `${digest43.slice(0, 42)}.`,
      `!${digest43}`,
      `${digest43}!`,
      `${digest43} `,
    ])
      assertRefusal(() => params({ body_sha256: bad }), 'invalid_request', 'body_digest_malformed', bad);
  });
});

describe('Function: readExchangeParams (scope)', () => {
  it('reads no scope as undefined and a space-separated list as its tokens, whatever the runs of spaces', () => {
    assert.equal(params().scopes, undefined);
    assert.deepEqual(params({ scope: 'payments:charge payments:read' }).scopes, ['payments:charge', 'payments:read']);
    assert.deepEqual(params({ scope: '  a   b ' }).scopes, ['a', 'b']);
    assert.deepEqual(readExchangeParams(parse(`${new URLSearchParams(exchangeForm('s.j.t')).toString()}&scope=+a++b+`)).scopes, ['a', 'b']);
  });

  it('takes up to 64 scopes and refuses 65', () => {
    const names = Array.from({ length: 65 }, (_, i) => `s${i}`);
    assert.equal(params({ scope: names.slice(0, 64).join(' ') }).scopes?.length, 64);
    assertRefusal(() => params({ scope: names.join(' ') }), 'invalid_scope', 'scope_malformed', '65 scopes');
  });

  it('refuses a scope of spaces only, a repeated scope, and characters outside RFC 6749 scope tokens at either end', () => {
    for (const scope of [' ', '   ', 'a a', 'a b a', '"a', 'a"', 'a"b', '\\a', 'a\\', 'caf\u00e9', 'a\tb', '\u00e9a'])
      assertRefusal(() => params({ scope }), 'invalid_scope', 'scope_malformed', JSON.stringify(scope));
    assertRefusal(
      () => readExchangeParams(parse(`${new URLSearchParams(exchangeForm('s.j.t')).toString()}&scope=+`)),
      'invalid_scope',
      'scope_malformed',
    );
  });
});

describe('Function: boundTarget (request_target)', () => {
  it('splits the path as sent from the canonical query, and a target without a query has none', () => {
    assert.deepEqual(boundTarget('/charges'), { path: '/charges', canonicalQuery: '' });
    assert.deepEqual(boundTarget('/charges?b=2&a=x%20y'), { path: '/charges', canonicalQuery: 'a=x%20y&b=2' });
    assert.deepEqual(boundTarget('/c?'), { path: '/c', canonicalQuery: '' });
    assert.deepEqual(boundTarget('/charges/%41b?x=1?y'), { path: '/charges/%41b', canonicalQuery: 'x=1%3Fy' });
    assert.deepEqual(params({ request_target: '/charges/1?z=1&a=2' }).request, {
      method: 'POST',
      path: '/charges/1',
      canonicalQuery: 'a=2&z=1',
      bodySha256: bodyDigest(undefined),
    });
  });

  it('keeps paths with valid escapes, dots inside names, matrix parameters and empty segments after the first', () => {
    for (const path of ['/', '/a%41b', '/a%2eb', '/.well-known/jwks.json', '/a/..b/c.', '/a;b=1', '/a//b', '/a//', "/a-._~!$&'()*+,;=:@"])
      assert.equal(boundTarget(path).path, path);
  });

  it('takes a target of 4096 characters and refuses one longer', () => {
    const longest = `/${'a'.repeat(4095)}`;
    assert.equal(boundTarget(longest).path, longest);
    assertRefusal(() => boundTarget(`${longest}a`), 'invalid_request', 'target_malformed');
    assertRefusal(() => params({ request_target: `${longest}?` }), 'invalid_request', 'target_malformed');
  });

  it('refuses a target that is not an origin-form path, or has a fragment', () => {
    for (const target of [
      'charges',
      '',
      '*',
      'https://payments.example/charges',
      '//evil.example/charges',
      '//',
      '/charges#x',
      '/c?x=1#y',
      '/c?#',
    ])
      assertRefusal(() => boundTarget(target), 'invalid_request', 'target_malformed', target);
  });

  it('refuses a path with a character that must be percent-encoded, or a malformed escape', () => {
    for (const path of [
      '/a b',
      '/a"b',
      '/a\\b',
      '/a<b>',
      '/a{id}',
      '/a|b',
      '/a^b',
      '/a`b',
      '/caf\u00e9',
      '/a%',
      '/a%4',
      '/a%4z',
      '/a%z4',
      '/a%zz',
      '/a%%41',
    ])
      assertRefusal(() => boundTarget(path), 'invalid_request', 'target_malformed', path);
  });

  it('refuses a path that encodes a separator or holds a dot segment, encoded or behind a matrix parameter', () => {
    for (const path of [
      '/a%2Fb',
      '/a%2fb',
      '/a%5Cb',
      '/a%5cb',
      '/a/./b',
      '/a/../b',
      '/.',
      '/..',
      '/a/.',
      '/a/%2e/b',
      '/a/%2E%2e/b',
      '/a/.%2E',
      '/..;x/b',
      '/a/.;p=1/b',
    ])
      assertRefusal(() => boundTarget(path), 'invalid_request', 'target_malformed', path);
    assertRefusal(() => params({ request_target: '/charges/../admin' }), 'invalid_request', 'target_malformed');
  });
});
