import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseTyp, parseIssuers } from '../../src/config/issuers';
import { ConfigError } from '../../src/errors';

function rejects(fn: () => unknown, path: string): void {
  assert.throws(fn, (err: unknown) => err instanceof ConfigError && err.path === path && err.message.startsWith(path));
}

describe('Function: parseIssuers', () => {
  it('reads OIDC and Cognito issuers with defaults', () => {
    const [oidc, cognito] = parseIssuers(
      [
        { issuer: 'https://idp.example.com/', audience: 'api' },
        {
          issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_X',
          clientIds: ['c1'],
          tokenUse: 'access',
          aliases: ['https://cognito-idp.us-east-1.amazonaws.com/us-east-1_X'],
        },
      ],
      { allowLoopbackHttp: false },
    );
    assert.equal(oidc?.jwksUri, 'https://idp.example.com/.well-known/jwks.json');
    assert.equal(oidc?.kind, 'oidc');
    assert.deepEqual(oidc?.audience, ['api']);
    assert.equal(oidc?.claims.groups, 'groups');
    assert.equal(cognito?.kind, 'cognito');
    assert.equal(cognito?.claims.groups, 'cognito:groups');
    assert.equal(cognito?.jwksUri, 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_X/.well-known/jwks.json');
  });

  it('names the field of every mistake', () => {
    const opts = { allowLoopbackHttp: false };
    rejects(() => parseIssuers([], opts), 'issuers');
    rejects(() => parseIssuers({}, opts), 'issuers');
    rejects(() => parseIssuers([{ issuer: 'https://a/', audience: [] }], opts), 'issuers[0].audience');
    rejects(
      () =>
        parseIssuers(
          [
            { issuer: 'https://a/', audience: ['x'] },
            { issuer: 'http://b/', audience: ['x'] },
          ],
          opts,
        ),
      'issuers[1].issuer',
    );
    rejects(() => parseIssuers([{ issuer: 'https://a/', audience: ['x'], audiance: ['y'] }], opts), 'issuers[0].audiance');
    rejects(
      () =>
        parseIssuers(
          [
            { issuer: 'https://a/', audience: ['x'] },
            { issuer: 'https://a/', audience: ['y'] },
          ],
          opts,
        ),
      'issuers[1]',
    );
    rejects(
      () => parseIssuers([{ issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/p', clientIds: ['c'] }], opts),
      'issuers[0].tokenUse',
    );
    rejects(() => parseIssuers([{ issuer: 'https://a/', audience: ['x'], tokenUse: 'id' }], opts), 'issuers[0].tokenUse');
    rejects(() => parseIssuers([{ issuer: 'https://a/', audience: ['x'], claims: { groups: 'a b' } }], opts), 'issuers[0].claims.groups');
    rejects(() => parseIssuers([{ issuer: 'https://a/', audience: ['x'], jwksUri: 'http://evil/jwks' }], opts), 'issuers[0].jwksUri');
  });

  it('leaves allowedTyp and maxTokenLifetimeSeconds unset by default', () => {
    const [cfg] = parseIssuers([{ issuer: 'https://a/', audience: ['x'] }], { allowLoopbackHttp: false });
    assert.equal(cfg?.allowedTyp, undefined);
    assert.equal(cfg?.maxTokenLifetimeSeconds, undefined);
  });

  it('normalises allowedTyp once, at parse time, and reads maxTokenLifetimeSeconds', () => {
    const [cfg] = parseIssuers(
      [
        {
          issuer: 'https://a/',
          audience: ['x'],
          allowedTyp: ['Application/AT+JWT', 'JWT', 'application/example/x'],
          maxTokenLifetimeSeconds: 86_400,
        },
      ],
      { allowLoopbackHttp: false },
    );
    assert.deepEqual(cfg?.allowedTyp, ['at+jwt', 'jwt', 'application/example/x']);
    assert.ok(Object.isFrozen(cfg?.allowedTyp));
    assert.equal(cfg?.maxTokenLifetimeSeconds, 86_400);
    const [single] = parseIssuers([{ issuer: 'https://a/', audience: ['x'], allowedTyp: 'at+jwt', maxTokenLifetimeSeconds: 31_536_000 }], {
      allowLoopbackHttp: false,
    });
    assert.deepEqual(single?.allowedTyp, ['at+jwt']);
    assert.equal(single?.maxTokenLifetimeSeconds, 31_536_000);
  });

  it('names the field of every bad allowedTyp or maxTokenLifetimeSeconds', () => {
    const opts = { allowLoopbackHttp: false };
    const issuer = (over: Record<string, unknown>) => [
      { issuer: 'https://a/', audience: ['x'] },
      { issuer: 'https://b/', audience: ['x'], ...over },
    ];
    for (const bad of [[], {}, 7, null, true]) rejects(() => parseIssuers(issuer({ allowedTyp: bad }), opts), 'issuers[1].allowedTyp');
    rejects(() => parseIssuers(issuer({ allowedTyp: '' }), opts), 'issuers[1].allowedTyp');
    rejects(() => parseIssuers(issuer({ allowedTyp: 'at jwt' }), opts), 'issuers[1].allowedTyp');
    for (const bad of [
      '',
      'at jwt',
      ' at+jwt',
      'at+jwt\n',
      'at+jwt\t',
      'at\u212Ab+jwt',
      'at+jwt\u0000',
      'application/',
      'APPLICATION/',
      5,
      null,
      ['at+jwt'],
    ]) {
      rejects(() => parseIssuers(issuer({ allowedTyp: ['at+jwt', bad] }), opts), 'issuers[1].allowedTyp[1]');
    }
    rejects(() => parseIssuers(issuer({ allowedTyp: ['at+jwt', 'at+jwt'] }), opts), 'issuers[1].allowedTyp');
    rejects(() => parseIssuers(issuer({ allowedTyp: ['at+jwt', 'application/AT+JWT'] }), opts), 'issuers[1].allowedTyp[1]');
    for (const bad of [0, -1, 1.5, 31_536_001, Number.NaN, Number.POSITIVE_INFINITY, '3600', null, true, [3600]]) {
      rejects(() => parseIssuers(issuer({ maxTokenLifetimeSeconds: bad }), opts), 'issuers[1].maxTokenLifetimeSeconds');
    }
  });

  it('allows plain http only for loopback hosts, and only when asked', () => {
    assert.equal(
      parseIssuers([{ issuer: 'http://127.0.0.1:4010', audience: ['x'] }], { allowLoopbackHttp: true })[0]?.issuer,
      'http://127.0.0.1:4010',
    );
    rejects(() => parseIssuers([{ issuer: 'http://10.0.0.1:4010', audience: ['x'] }], { allowLoopbackHttp: true }), 'issuers[0].issuer');
    rejects(() => parseIssuers([{ issuer: 'http://127.0.0.1:4010', audience: ['x'] }], { allowLoopbackHttp: false }), 'issuers[0].issuer');
  });

  it("says how to allow a refused loopback http URL (the Lambda variable, or the caller's own switch), and only for loopback", () => {
    const loopback = [{ issuer: 'http://[::1]:4010', audience: ['x'] }];
    assert.throws(() => parseIssuers(loopback, { allowLoopbackHttp: false }), /must be https; .*set MESHGATE_ALLOW_LOOPBACK_HTTP=true/);
    assert.throws(
      () => parseIssuers(loopback, { allowLoopbackHttp: false, loopbackSwitch: 'pass --allow-loopback-http' }),
      /must be https; to allow http on loopback for local testing, pass --allow-loopback-http$/,
    );
    assert.throws(
      () => parseIssuers([{ issuer: 'http://idp.example.com/', audience: ['x'] }], { allowLoopbackHttp: false }),
      /: must be https$/,
    );
  });
});

describe('Function: normaliseTyp', () => {
  it('compares typ values as media types (RFC 7515 §4.1.9): case-insensitive, application/ optional', () => {
    for (const typ of ['at+jwt', 'AT+JWT', 'At+Jwt', 'application/at+jwt', 'APPLICATION/AT+JWT'])
      assert.equal(normaliseTyp(typ), 'at+jwt', typ);
    assert.equal(normaliseTyp('JWT'), 'jwt');
  });

  it('keeps the application/ prefix when the rest has a slash, and other top-level types as they are', () => {
    assert.equal(normaliseTyp('application/example/x'), 'application/example/x');
    assert.equal(normaliseTyp('text/at+jwt'), 'text/at+jwt');
    assert.equal(normaliseTyp('applicationat+jwt'), 'applicationat+jwt');
  });

  it('folds ASCII letters only, so a look-alike never becomes a configured value', () => {
    // toLowerCase maps the Kelvin sign to k: "\u212Ab+jwt" would otherwise equal kb+jwt.
    assert.equal(normaliseTyp('\u212Ab+jwt'), '\u212Ab+jwt');
    assert.equal(normaliseTyp('\u0130'), '\u0130');
  });
});
