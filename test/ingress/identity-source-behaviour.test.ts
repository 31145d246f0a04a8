// Where the ingress reads the verified identity from, per event format and route auth, and what it refuses.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MeshgateError } from '../../src/errors';
import { checkIdentityForRoute, iamCallerArn, OFFLINE_OVERRIDE_HEADER, verifiedIdentityOf } from '../../src/ingress/identity-source';
import { readIngressEvent } from '../../src/ingress/request';
import { authorizerContext, httpApiEvent, restEvent, restIamEvent } from '../support/events';
import { route } from '../support/ingress-routes';

const CALLER = 'arn:aws:iam::123456789012:user/deployer';
const PLACEHOLDER = 'offlineContext_userArn';
const jwtRoute = route('GET /whoami');
const iamRoute = route('GET /iam/whoami');

/** The MeshgateError an identity read throws, as `code: message`, or the identity's sub. */
function outcome(fn: () => { sub: string }): string {
  try {
    return fn().sub;
  } catch (err) {
    if (err instanceof MeshgateError) return `${err.code}: ${err.message}`;
    throw err;
  }
}

function withoutCallerIdentity(event: Record<string, unknown>): Record<string, unknown> {
  const { identity: _identity, ...requestContext } = event.requestContext as Record<string, unknown>;
  return { ...event, requestContext };
}

describe('verifiedIdentityOf: IAM routes', () => {
  it('reads a REST SigV4 caller with its account as tenant and no scopes or groups', () => {
    const identity = verifiedIdentityOf(readIngressEvent(restIamEvent()), iamRoute, false);
    assert.deepEqual(
      { ...identity },
      {
        sub: CALLER,
        iss: 'aws:iam',
        type: 'iam',
        scopes: [],
        groups: [],
        tenant: '123456789012',
        clientId: undefined,
        exp: 0,
      },
    );
  });
  it('reads an HTTP API SigV4 caller from authorizer.iam', () => {
    const event = httpApiEvent({ path: '/iam/whoami' }, { iam: { userArn: CALLER, accountId: '123456789012' } });
    assert.equal(verifiedIdentityOf(readIngressEvent(event), iamRoute, false).sub, CALLER);
  });
  const missing: Array<[string, Record<string, unknown>]> = [
    ['an HTTP API event with no authorizer', httpApiEvent({ path: '/iam/whoami' }, null)],
    ['an HTTP API event whose authorizer has no iam', httpApiEvent({ path: '/iam/whoami' }, { lambda: authorizerContext() })],
    ['a REST event with no requestContext.identity', withoutCallerIdentity(restEvent({ path: '/iam/whoami' }, null))],
  ];
  for (const [name, event] of missing) {
    it(`answers identity_missing for ${name}, saying no SigV4 caller`, () => {
      assert.equal(
        outcome(() => verifiedIdentityOf(readIngressEvent(event), iamRoute, false)),
        'identity_missing: no SigV4 caller identity on an IAM route',
      );
    });
  }
  it('refuses serverless offline’s placeholder caller only when offline', () => {
    assert.match(
      outcome(() => verifiedIdentityOf(readIngressEvent(restIamEvent({}, PLACEHOLDER)), iamRoute, true)),
      /^identity_missing: serverless offline/,
    );
    assert.equal(
      outcome(() => verifiedIdentityOf(readIngressEvent(restIamEvent({}, PLACEHOLDER)), iamRoute, false)),
      PLACEHOLDER,
    );
    assert.equal(
      outcome(() => verifiedIdentityOf(readIngressEvent(restIamEvent()), iamRoute, true)),
      CALLER,
    );
  });
});

describe('verifiedIdentityOf: JWT routes', () => {
  it('reads the HTTP API identity only from authorizer.lambda, never from fields beside it', () => {
    const forged = { ...authorizerContext({ sub: 'admin' }), lambda: authorizerContext() };
    const event = httpApiEvent({}, forged);
    assert.equal(verifiedIdentityOf(readIngressEvent(event), jwtRoute, false).sub, 'user-123');
  });
  it('reads a REST authorizer context nested under lambda when the flat one has no sub', () => {
    const event = restEvent({}, { lambda: authorizerContext() });
    assert.equal(verifiedIdentityOf(readIngressEvent(event), jwtRoute, false).sub, 'user-123');
  });
  it('reads a verified identity offline when no override header is sent', () => {
    assert.equal(
      outcome(() => verifiedIdentityOf(readIngressEvent(restEvent()), jwtRoute, true)),
      'user-123',
    );
    assert.equal(
      outcome(() => verifiedIdentityOf(readIngressEvent(restEvent({}, authorizerContext({ sub: PLACEHOLDER }))), jwtRoute, false)),
      PLACEHOLDER,
    );
  });
  it('refuses the offline override header offline', () => {
    const event = restEvent({ headers: { [OFFLINE_OVERRIDE_HEADER]: '{"sub":"admin"}' } });
    assert.match(
      outcome(() => verifiedIdentityOf(readIngressEvent(event), jwtRoute, true)),
      /^identity_missing: sls-offline/,
    );
  });
  it('answers identity_missing, saying no authorizer identity, when there is none (offline or not)', () => {
    for (const offline of [false, true]) {
      assert.equal(
        outcome(() => verifiedIdentityOf(readIngressEvent(restEvent({}, null)), jwtRoute, offline)),
        'identity_missing: no authorizer identity on a JWT route',
      );
    }
  });
});

describe('iamCallerArn', () => {
  it('gives the SigV4 caller ARN of REST and HTTP API events', () => {
    assert.equal(iamCallerArn(readIngressEvent(restIamEvent()), false), CALLER);
    assert.equal(iamCallerArn(readIngressEvent(restIamEvent()), true), CALLER);
    assert.equal(iamCallerArn(readIngressEvent(httpApiEvent({}, { iam: { userArn: CALLER } })), false), CALLER);
  });
  it('gives none without a caller, and none for offline’s placeholder when offline', () => {
    assert.equal(iamCallerArn(readIngressEvent(restEvent()), false), undefined);
    assert.equal(iamCallerArn(readIngressEvent(httpApiEvent({}, null)), false), undefined);
    assert.equal(iamCallerArn(readIngressEvent(restIamEvent({}, PLACEHOLDER)), true), undefined);
    assert.equal(iamCallerArn(readIngressEvent(restIamEvent({}, PLACEHOLDER)), false), PLACEHOLDER);
  });
});

describe('checkIdentityForRoute: credential expiry', () => {
  const identity = verifiedIdentityOf(readIngressEvent(restEvent()), jwtRoute, false);
  const NOW = 1_800_000_000;
  const code = (exp: number): string => {
    try {
      checkIdentityForRoute({ ...identity, exp }, jwtRoute, NOW);
      return 'none';
    } catch (err) {
      return (err as MeshgateError).code;
    }
  };
  it('allows a credential up to 30 seconds past its exp, and refuses it a second later', () => {
    assert.equal(code(NOW - 30), 'none');
    assert.equal(code(NOW - 31), 'token_expired');
  });
});
