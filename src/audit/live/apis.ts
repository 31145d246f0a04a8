// Reads REST API methods (API Gateway) and HTTP API routes (API Gateway V2), plus REST API resource policies.
import { GetResourcesCommand, GetRestApisCommand, type APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { GetApisCommand, GetRoutesCommand, type ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { decodePolicyDocument } from '../inputs/account-details';
import { emptyInput, type AuditInput } from '../types';
import { paginate, type CallOptions } from './aws-calls';

/** The REST API's resource policy comes back as JSON with escaped quotes (`{\"Version\":...}`). */
function restApiPolicy(policy: string): unknown {
  return decodePolicyDocument(policy.includes('\\"') ? policy.replace(/\\"/g, '"') : policy);
}

/**
 * `partition` is the account's partition (`aws`, `aws-cn`, `aws-us-gov`...); a promise lets the pages be read while
 * it is still being worked out from the account's own ARNs.
 */
export async function readLiveRestApis(
  client: APIGatewayClient,
  options: CallOptions & { partition?: string | Promise<string> } = {},
): Promise<AuditInput> {
  const input = emptyInput();
  const region = await client.config.region();
  const apis = await paginate(async (position) => {
    const page = await client.send(new GetRestApisCommand({ position, limit: 500 }));
    return { items: page.items ?? [], next: page.position };
  }, options);
  const partition = await (options.partition ?? 'aws');
  for (const api of apis) {
    const apiArn = `arn:${partition}:apigateway:${region}::/restapis/${api.id}`;
    if (api.policy)
      input.documents.push({ id: `${apiArn}#policy`, resource: apiArn, policyKind: 'resource', document: restApiPolicy(api.policy) });
    const resources = await paginate(async (position) => {
      const page = await client.send(new GetResourcesCommand({ restApiId: api.id, position, limit: 500, embed: ['methods'] }));
      return { items: page.items ?? [], next: page.position };
    }, options);
    for (const res of resources) {
      for (const [method, details] of Object.entries(res.resourceMethods ?? {})) {
        input.routes.push({
          api: api.name ?? api.id ?? '?',
          method: method.toUpperCase(),
          path: res.path ?? '/',
          authorizationType: details.authorizationType ?? 'NONE',
          apiKeyRequired: details.apiKeyRequired === true,
          resource: `${apiArn}/resources/${res.id}/methods/${method}`,
        });
      }
    }
  }
  return input;
}

export async function readLiveHttpApis(
  client: ApiGatewayV2Client,
  options: CallOptions & { partition?: string | Promise<string> } = {},
): Promise<AuditInput> {
  const input = emptyInput();
  const region = await client.config.region();
  const apis = await paginate(async (token) => {
    const page = await client.send(new GetApisCommand({ NextToken: token }));
    return { items: page.Items ?? [], next: page.NextToken };
  }, options);
  const partition = await (options.partition ?? 'aws');
  // WebSocket APIs authorize on $connect only; their route keys are not HTTP routes.
  for (const api of apis.filter((a) => a.ProtocolType === 'HTTP')) {
    const routes = await paginate(async (token) => {
      const page = await client.send(new GetRoutesCommand({ ApiId: api.ApiId, NextToken: token }));
      return { items: page.Items ?? [], next: page.NextToken };
    }, options);
    for (const route of routes) {
      const key = route.RouteKey ?? '$default';
      const [method, path] = key.includes(' ') ? key.split(/\s+/, 2) : ['ANY', key];
      input.routes.push({
        api: api.Name ?? api.ApiId ?? '?',
        method: (method ?? 'ANY').toUpperCase(),
        path: path ?? key,
        authorizationType: route.AuthorizationType ?? 'NONE',
        apiKeyRequired: route.ApiKeyRequired === true,
        resource: `arn:${partition}:apigateway:${region}::/apis/${api.ApiId}/routes/${route.RouteId}`,
      });
    }
  }
  return input;
}
