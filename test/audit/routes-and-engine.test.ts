// Rule: route-without-authorizer on its own, and the engine's lazy catalogue and isolation from the request path.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fingerprint } from '../../src/audit/baseline';
import { runAudit } from '../../src/audit/engine';
import { catalogueLoaded } from '../../src/audit/iam-catalogue';
import { renderTable } from '../../src/audit/report/table';
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

  it('flags the token exchange unless it is AWS_IAM, whatever --public-route says', async () => {
    const found = await routeFindings(
      [
        route('POST', '/token', 'CUSTOM'),
        route('ANY', '/token/', 'NONE'),
        route('POST', '/token', 'AWS_IAM'),
        route('GET', '/token', 'CUSTOM'),
      ],
      ['POST /token'],
    );
    assert.deepEqual(found.sort(), ['ANY /token/', 'POST /token']);
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

  it('counts what the customer cannot act on in the summary and the table, instead of reporting it', async () => {
    const input = emptyInput();
    const slr = 'arn:aws:iam::1:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS';
    const escalate = { Statement: [{ Effect: 'Allow', Action: 'iam:CreatePolicyVersion', Resource: 'arn:aws:iam::aws:policy/*' }] };
    input.documents.push(
      { id: 'aws-owned', resource: 'aws-owned', policyKind: 'identity', document: escalate },
      {
        id: `${slr}#p`,
        resource: `${slr}#p`,
        policyKind: 'identity',
        document: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
      },
    );
    const result = await runAudit(input);
    assert.deepEqual(result.findings, []);
    // Action "*" on "*" gives wildcard-action, wildcard-resource-sensitive, privilege-escalation and passrole-star.
    assert.deepEqual(result.summary.leftOut, { awsOwnedResources: 1, serviceLinkedRoles: 4 });
    assert.match(
      renderTable(result),
      /0 finding\(s\): .*; left out, not yours to fix: 1 on AWS-owned resources, 4 on service-linked roles/,
    );
  });

  it('keeps the fingerprint of a once-per-statement finding when the statement gains an action', async () => {
    const audit = async (actions: string[]) => {
      const input = emptyInput();
      input.documents.push({
        id: 'p',
        resource: 'p',
        policyKind: 'identity',
        document: { Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] },
      });
      return (await runAudit(input)).findings.map(fingerprint);
    };
    assert.deepEqual(await audit(['s3:GetObject']), await audit(['s3:GetObject', 's3:PutObject']));
  });
});
