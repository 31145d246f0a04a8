// Every sample event in events/ parses and reads into what its handler expects; the authorizer answers them cleanly.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { bearerToken, readAuthorizerEvent, type AuthorizerEventFormat } from '../../src/auth/authorizer-event';
import { parseExecuteApiArn } from '../../src/auth/policy';
import { readIngressEvent } from '../../src/ingress/request';
import { iamCallerArn } from '../../src/ingress/identity-source';
import { parseTokenForm } from '../../src/exchange/form';
import { readExchangeParams } from '../../src/exchange/params';
import { parseRotationEvent } from '../../src/rotation/steps';
import { matchRoute, parseRouteTable } from '../../src/routes/route-table';
import routesJson from '../../config/routes.json';
import { acquireServerlessLock } from '../e2e/support/serverless-lock';

const EVENTS_DIR = 'events';
const routes = parseRouteTable(routesJson);

function load(file: string): unknown {
  return JSON.parse(readFileSync(join(EVENTS_DIR, file), 'utf8')) as unknown;
}

function checkAuthorizerEvent(event: unknown, format: AuthorizerEventFormat): void {
  const request = readAuthorizerEvent(event);
  assert.equal(request.format, format);
  const token = bearerToken(request.authorization);
  assert.ok(token, 'the event carries a bearer token where the authorizer reads it');
  assert.equal(token.split('.').length, 3, 'the token has the shape of a JWS');
  const target = parseExecuteApiArn(request.arn);
  assert.ok(target, 'methodArn/routeArn is an execute-api ARN the policy builder understands');
  assert.ok(matchRoute(routes, target.method, target.path), `${target.method} ${target.path} is a route of config/routes.json`);
}

/** One reader per kind of sample event: a new file in events/ needs a line here, or this test fails. */
const READERS: ReadonlyArray<readonly [RegExp, (event: unknown) => void]> = [
  [/^authorizer-rest-token\.json$/, (e) => checkAuthorizerEvent(e, 'rest-token')],
  [/^authorizer-rest-request\.json$/, (e) => checkAuthorizerEvent(e, 'rest-request')],
  [/^authorizer-http-api\.json$/, (e) => checkAuthorizerEvent(e, 'http-v2')],
  [
    /^(ingress|jwks).*\.json$/,
    (e) => {
      const request = readIngressEvent(e);
      assert.ok(request.requestId, 'API Gateway request id present');
      assert.ok(request.template, 'the matched route template is present');
    },
  ],
  [
    /^exchange\.json$/,
    (e) => {
      const request = readIngressEvent(e);
      assert.equal(request.method, 'POST');
      const form = parseTokenForm(request.untrustedHeaders.get('content-type'), Buffer.from(request.body ?? ''));
      assert.equal(readExchangeParams(form).audience, 'payments-service');
      assert.ok(iamCallerArn(request, false), 'the SigV4 caller API Gateway verified');
    },
  ],
  [
    /^rotate-.*\.json$/,
    (e) => {
      const rotation = parseRotationEvent(e);
      assert.match(rotation.SecretId, /^arn:aws:secretsmanager:/);
    },
  ],
  [
    /^(audit-)?schedule.*\.json$/,
    (e) => {
      const event = e as Record<string, unknown>;
      assert.equal(event.source, 'aws.events');
      assert.equal(event['detail-type'], 'Scheduled Event');
      assert.ok(!Number.isNaN(Date.parse(String(event.time))));
    },
  ],
];

describe('sample events (events/)', () => {
  const files = readdirSync(EVENTS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();

  it('holds the three authorizer event shapes', () => {
    for (const f of ['authorizer-rest-token.json', 'authorizer-rest-request.json', 'authorizer-http-api.json'])
      assert.ok(files.includes(f), f);
  });

  for (const file of files) {
    it(`${file} parses and reads into what its handler expects`, () => {
      const reader = READERS.find(([pattern]) => pattern.test(file));
      assert.ok(reader, `no reader for events/${file}: add one to READERS`);
      reader[1](load(file));
    });
  }
});

describe('the authorizer handler on the sample events (no reachable key for their placeholder token)', () => {
  let jwksServer: Server;
  let handler: (event: unknown) => Promise<unknown>;

  before(async () => {
    // A real JWKS on loopback that does not hold the sample token's kid: the token must be refused, not crash.
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwks = JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'another-kid', alg: 'RS256', use: 'sig' }] });
    jwksServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(jwks));
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const token = bearerToken((load('authorizer-rest-token.json') as { authorizationToken: string }).authorizationToken) ?? '';
    const { iss } = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { iss: string };
    process.env.MESHGATE_ISSUERS = JSON.stringify([
      { issuer: iss, audience: ['meshgate'], jwksUri: `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks` },
    ]);
    process.env.MESHGATE_ALLOW_LOOPBACK_HTTP = 'true';
    process.env.MESHGATE_UNKNOWN_KID_PENALTY_SECONDS = '0';
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    handler = (await import('../../functions/authorizer/handler')).handler;
  });

  after(async () => {
    await new Promise<void>((resolve) => jwksServer.close(() => resolve()));
  });

  for (const file of ['authorizer-rest-token.json', 'authorizer-rest-request.json']) {
    it(`answers ${file} with exactly Unauthorized`, async () => {
      await assert.rejects(handler(load(file)), (err: Error) => err.message === 'Unauthorized');
    });
  }

  it('answers authorizer-http-api.json with isAuthorized false', async () => {
    assert.deepEqual(await handler(load('authorizer-http-api.json')), { isAuthorized: false });
  });
});

describe('serverless invoke local', () => {
  it(
    'runs the authorizer on events/authorizer-rest-token.json and ends in the Unauthorized error, not a crash',
    { timeout: 240_000 },
    async () => {
      const release = await acquireServerlessLock();
      let result: { code: number | null; output: string };
      try {
        result = await new Promise((resolve) => {
          execFile(
            process.execPath,
            [
              'node_modules/serverless/bin/serverless.js',
              'invoke',
              'local',
              '--function',
              'authorizer',
              '--path',
              'events/authorizer-rest-token.json',
              '--stage',
              'local',
            ],
            {
              timeout: 90_000,
              env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', MESHGATE_JWKS_TIMEOUT_MS: '500' },
            },
            (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: `${stdout}\n${stderr}` }),
          );
        });
      } finally {
        await release();
      }
      assert.notEqual(result.code, 0, result.output);
      assert.match(result.output, /"errorMessage":\s*"Unauthorized"|Error: Unauthorized/, result.output);
      assert.doesNotMatch(result.output, /TypeError|ReferenceError|SyntaxError|Cannot find module/, result.output);
    },
  );
});
