// The package-time stage check with the functions' real loaders: each broken stage names its param; a good one passes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createAssertionVerifier } from '@meshgate/consumer';
import routesJson from '../../config/routes.json';
import { loadAuthorizerConfig } from '../../functions/authorizer/config';
import { loadIngressConfig } from '../../functions/ingress/config';
import { loadJwksConfig } from '../../functions/jwks/config';
import { defaultJwksUri } from '../../src/config/issuers';
import { checkStage, formatStageProblem, type StageFunction, type StageLoaders } from '../../src/deploy/stage-check';
import { SAMPLE_REST_API_ID, sampleValue } from '../../src/deploy/template-values';

const { apiUrl } = require('../../config/serverless-stage.js') as { apiUrl: (stage: string) => unknown };

const loaders: StageLoaders = {
  authorizer: (env) => loadAuthorizerConfig(env, routesJson),
  ingress: (env) => loadIngressConfig(env, routesJson),
  jwks: (env) => loadJwksConfig(env),
};

const GOOD = {
  issuers: '[{"issuer":"https://login.corp.internal/","audience":["meshgate"]}]',
  upstreams: '{"demo":"https://demo.mesh.internal","orders":"https://orders.mesh.internal"}',
  assertionIssuer: '',
  allowLoopbackHttp: 'false',
  keyStore: 'secrets-manager',
};
type Params = typeof GOOD;

/** The three request-path functions as serverless.yml wires them, with `params` in place of the resolved values. */
function functions(params: Params, stage = 'prod'): StageFunction[] {
  const provider = { MESHGATE_ALLOW_LOOPBACK_HTTP: ['${param:allowLoopbackHttp}', params.allowLoopbackHttp] };
  const fn = (name: string, vars: Record<string, [raw: string, value: unknown]>): StageFunction => {
    const all = { ...provider, ...vars };
    return {
      name,
      environment: Object.fromEntries(Object.entries(all).map(([k, [, v]]) => [k, v])),
      rawEnvironment: Object.fromEntries(Object.entries(all).map(([k, [raw]]) => [k, raw])),
    };
  };
  return [
    fn('authorizer', { MESHGATE_ISSUERS: ['${param:issuers}', params.issuers] }),
    fn('ingress', {
      MESHGATE_UPSTREAMS: ['${param:upstreams}', params.upstreams],
      MESHGATE_ASSERTION_ISSUER: [
        '${file(./config/serverless-stage.js):assertionIssuer}',
        params.assertionIssuer === '' ? apiUrl(stage) : params.assertionIssuer,
      ],
      MESHGATE_KEY_STORE: ['${param:keyStore}', params.keyStore],
      MESHGATE_KEY_SECRET_ID: ['!Ref SigningKeySecret', { Ref: 'SigningKeySecret' }],
    }),
    fn('jwks', {
      MESHGATE_KEY_STORE: ['${param:keyStore}', params.keyStore],
      MESHGATE_PUBLIC_JWKS_SECRET_ID: ['!Ref PublicJwksSecret', { Ref: 'PublicJwksSecret' }],
    }),
  ];
}

const check = (overrides: Partial<Params>, stage = 'prod') =>
  checkStage({
    stage,
    region: 'eu-west-1',
    functions: functions({ ...GOOD, ...overrides }, stage),
    loaders,
    refs: { ApiGatewayRestApi: SAMPLE_REST_API_ID },
  });

describe('Function: checkStage', () => {
  it('passes a complete prod stage whose assertion issuer is derived from the API', () => {
    assert.equal(check({}), undefined);
  });

  const broken: Array<[what: string, overrides: Partial<Params>, param: string, message: RegExp]> = [
    ['issuers missing (the default)', { issuers: '' }, 'issuers', /MESHGATE_ISSUERS: is required/],
    ['issuers not JSON', { issuers: 'nope' }, 'issuers', /MESHGATE_ISSUERS: is not valid JSON/],
    ['an issuer without an audience', { issuers: '[{"issuer":"https://login.corp.internal/"}]' }, 'issuers', /issuers\[0\]/],
    [
      'the example issuer',
      { issuers: '[{"issuer":"https://idp.example.com/","audience":["a"]}]' },
      'issuers',
      /issuers\[0\]\.issuer: https:\/\/idp\.example\.com\/ is a placeholder/,
    ],
    ['a plain-HTTP issuer', { issuers: '[{"issuer":"http://login.corp.internal/","audience":["a"]}]' }, 'issuers', /must be https/],
    ['upstreams missing', { upstreams: '' }, 'upstreams', /MESHGATE_UPSTREAMS: is required/],
    [
      'an http:// upstream',
      { upstreams: '{"demo":"http://demo.internal:8080","orders":"https://orders.mesh.internal"}' },
      'upstreams',
      /MESHGATE_UPSTREAMS\.demo: must be https/,
    ],
    [
      'a loopback upstream over https',
      { upstreams: '{"demo":"https://127.0.0.1:8443","orders":"https://orders.mesh.internal"}' },
      'upstreams',
      /loopback/,
    ],
    [
      'the example assertion issuer',
      { assertionIssuer: 'https://meshgate.example.com' },
      'assertionIssuer',
      /MESHGATE_ASSERTION_ISSUER: https:\/\/meshgate\.example\.com is a placeholder/,
    ],
    ['an http:// assertion issuer', { assertionIssuer: 'http://meshgate.corp.internal' }, 'assertionIssuer', /must be https/],
    ['loopback HTTP allowed', { allowLoopbackHttp: 'true' }, 'allowLoopbackHttp', /must not be true in AWS/],
    ['the file key store', { keyStore: 'file' }, 'keyStore', /file is for the local stack/],
  ];
  for (const [what, overrides, param, message] of broken) {
    it(`stops on ${what}, naming param ${param}`, () => {
      const problem = check(overrides);
      assert.ok(problem, what);
      assert.equal(problem.param, param, JSON.stringify(problem));
      assert.match(problem.message, message);
    });
  }

  it('refuses the local stage whatever its params', () => {
    const problem = check({}, 'local');
    assert.match(problem?.message ?? '', /stage local is for serverless offline \(npm start\)/);
  });
});

describe('Function: formatStageProblem', () => {
  it('says which stage, param, variable and function, and how to set the param', () => {
    const text = formatStageProblem(
      'prod',
      check({ upstreams: '{"demo":"http://demo.internal:8080","orders":"https://orders.mesh.internal"}' })!,
    );
    assert.equal(
      text,
      'meshgate: stage prod was not packaged, nothing was uploaded: param upstreams (MESHGATE_UPSTREAMS of function ingress): MESHGATE_UPSTREAMS.demo: must be https. Set it with --param="upstreams=…" or under params.prod in serverless.yml (docs/deploy.md "Params").',
    );
  });
});

describe('The assertion issuer the template derives from the API', () => {
  const issuer = sampleValue(apiUrl('prod'), { region: 'eu-west-1', refs: { ApiGatewayRestApi: SAMPLE_REST_API_ID } });

  it('is the stage URL API Gateway serves the API under', () => {
    assert.equal(issuer, `https://${SAMPLE_REST_API_ID}.execute-api.eu-west-1.amazonaws.com/prod`);
  });

  it('is accepted by the ingress loader as it is written, and its JWKS URL is under the stage path', () => {
    const env = {
      MESHGATE_UPSTREAMS: GOOD.upstreams,
      MESHGATE_ASSERTION_ISSUER: issuer,
      MESHGATE_KEY_SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x',
    };
    assert.equal(loadIngressConfig(env, routesJson).assertion.issuer, issuer);
    assert.equal(defaultJwksUri(issuer), `${issuer}/.well-known/jwks.json`);
  });

  it("is accepted by @meshgate/consumer with that JWKS URL, and by the authorizer's issuer list (the JWKS URI it derives)", () => {
    // Options are checked when the verifier is created: a URL it refused would throw ConfigError here.
    assert.ok(createAssertionVerifier({ issuer, audience: 'orders-service', jwksUri: defaultJwksUri(issuer) }));
    const authorizer = loadAuthorizerConfig({ MESHGATE_ISSUERS: JSON.stringify([{ issuer, audience: ['orders-service'] }]) }, routesJson);
    assert.equal(authorizer.issuers[0]!.jwksUri, `${issuer}/.well-known/jwks.json`);
  });
});
