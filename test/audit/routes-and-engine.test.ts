// Rule: route-without-authorizer on its own, and the engine's lazy catalogue and isolation from the request path.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runAudit } from '../../src/audit/engine';
import { catalogueLoaded } from '../../src/audit/iam-catalogue';
import { emptyInput, type RouteInput } from '../../src/audit/types';

function route(method: string, path: string, authorizationType: string, apiKeyRequired = false): RouteInput {
  return { api: 'api', method, path, authorizationType, apiKeyRequired, resource: `${method} ${path}` };
}

async function routeFindings(routes: RouteInput[], publicRoutes?: string[]): Promise<string[]> {
  const input = emptyInput();
  input.routes.push(...routes);
  const { findings } = await runAudit(input, publicRoutes ? { publicRoutes } : {});
  return findings.map((f) => f.resource);
}

describe('Rule: route-without-authorizer', () => {
  it('reports NONE, an API key alone and ANY; accepts CUSTOM, JWT, AWS_IAM, COGNITO_USER_POOLS', async () => {
    const found = await routeFindings([
      route('GET', '/a', 'NONE'),
      route('POST', '/b', 'NONE', true),
      route('ANY', '/{proxy+}', 'NONE'),
      route('GET', '/c', 'CUSTOM'),
      route('GET', '/d', 'JWT'),
      route('GET', '/e', 'AWS_IAM'),
      route('GET', '/f', 'COGNITO_USER_POOLS'),
    ]);
    assert.deepEqual(found, ['ANY /{proxy+}', 'GET /a', 'POST /b']);
  });

  it('exempts OPTIONS and the JWKS route, and honours --public-route by method', async () => {
    const found = await routeFindings(
      [
        route('OPTIONS', '/a', 'NONE'),
        route('GET', '/.well-known/jwks.json', 'NONE'),
        route('GET', '/health/', 'NONE'),
        route('POST', '/health', 'NONE'),
        route('POST', '/.well-known/jwks.json', 'NONE'),
      ],
      ['get /health'],
    );
    assert.deepEqual(found, ['POST /.well-known/jwks.json', 'POST /health']);
  });
});

describe('Engine', () => {
  it('loads the IAM catalogue only when a policy needs it', async () => {
    await routeFindings([route('GET', '/a', 'NONE')]);
    assert.equal(catalogueLoaded(), false);
    const input = emptyInput();
    input.documents.push({
      id: 'p',
      resource: 'p',
      policyKind: 'identity',
      document: { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] },
    });
    await runAudit(input);
    assert.equal(catalogueLoaded(), true);
  });
});
