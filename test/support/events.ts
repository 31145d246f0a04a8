// Builders for ingress proxy events: REST (payload 1.0) and HTTP API (payload 2.0), with authorizer context or SigV4 identity.
import type { AuthorizerContext } from '../../src/auth/context';

export interface ProxyEventInput {
  method?: string;
  path?: string;
  /** Route template API Gateway matched; defaults to `path`. */
  resource?: string;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  query?: Record<string, string[]>;
  /** HTTP API only: the raw query exactly as the client sent it (default: `query`, encoded canonically). */
  rawQueryString?: string;
  body?: string | null;
  isBase64Encoded?: boolean;
  requestId?: string;
}

/** A flat authorizer context as meshgate's authorizer returns it (values as API Gateway delivers them: strings). */
export function authorizerContext(overrides: Partial<Record<keyof AuthorizerContext, string>> = {}): Record<string, string> {
  return {
    sub: 'user-123',
    iss: 'https://idp.example.com/',
    type: 'user',
    scopesJson: '["orders:read","orders:write"]',
    groupsJson: '["staff","admin"]',
    tenant: 'acme',
    clientId: 'web-app',
    exp: String(Math.floor(Date.now() / 1000) + 600),
    ...overrides,
  };
}

function firstValues(multi: Record<string, string[]>): Record<string, string> {
  return Object.fromEntries(Object.entries(multi).map(([k, v]) => [k, v[v.length - 1] as string]));
}

/** REST API payload 1.0 proxy event; `authorizer` is `requestContext.authorizer` (null: no authorizer ran). */
export function restEvent(
  input: ProxyEventInput = {},
  authorizer: Record<string, unknown> | null = authorizerContext(),
  identity: Record<string, unknown> = {},
): Record<string, unknown> {
  const method = input.method ?? 'GET';
  const path = input.path ?? '/whoami';
  const multiValueHeaders = input.multiValueHeaders ?? Object.fromEntries(Object.entries(input.headers ?? {}).map(([k, v]) => [k, [v]]));
  return {
    resource: input.resource ?? path,
    path,
    httpMethod: method,
    headers: input.headers ?? firstValues(multiValueHeaders),
    multiValueHeaders,
    queryStringParameters: input.query ? firstValues(input.query) : null,
    multiValueQueryStringParameters: input.query ?? null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      resourceId: 'abc123',
      resourcePath: input.resource ?? path,
      httpMethod: method,
      path: `/prod${path}`,
      accountId: '123456789012',
      apiId: 'abc123def4',
      stage: 'prod',
      requestId: input.requestId ?? 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      requestTimeEpoch: Date.now(),
      protocol: 'HTTP/1.1',
      identity: { sourceIp: '203.0.113.7', userAgent: 'test', userArn: null, caller: null, accountId: null, accessKey: null, ...identity },
      ...(authorizer === null
        ? {}
        : { authorizer: { principalId: String(authorizer.sub ?? 'unknown'), integrationLatency: 12, ...authorizer } }),
    },
    body: input.body ?? null,
    isBase64Encoded: input.isBase64Encoded ?? false,
  };
}

/** REST event of a SigV4 caller on an `aws_iam` route: `requestContext.identity` carries the caller. */
export function restIamEvent(input: ProxyEventInput = {}, userArn = 'arn:aws:iam::123456789012:user/deployer'): Record<string, unknown> {
  return restEvent({ path: '/iam/whoami', ...input }, null, {
    userArn,
    caller: 'AIDAEXAMPLECALLER',
    accountId: '123456789012',
    accessKey: 'AKIAEXAMPLEKEY000000',
    user: 'AIDAEXAMPLECALLER',
  });
}

/** HTTP API payload 2.0 event; `lambda` is `requestContext.authorizer.lambda`, `iam` is `requestContext.authorizer.iam`. */
export function httpApiEvent(
  input: ProxyEventInput = {},
  authorizer: { lambda?: Record<string, unknown>; iam?: Record<string, unknown>; jwt?: Record<string, unknown> } | null = {
    lambda: authorizerContext(),
  },
): Record<string, unknown> {
  const method = input.method ?? 'GET';
  const path = input.path ?? '/whoami';
  const query = input.query ?? {};
  const rawQueryString =
    input.rawQueryString ??
    Object.entries(query)
      .flatMap(([k, vs]) => vs.map((v) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`))
      .join('&');
  const headers = input.headers ?? Object.fromEntries(Object.entries(input.multiValueHeaders ?? {}).map(([k, v]) => [k, v.join(',')]));
  return {
    version: '2.0',
    routeKey: `${method} ${input.resource ?? path}`,
    rawPath: path,
    rawQueryString,
    headers,
    ...(Object.keys(query).length > 0
      ? { queryStringParameters: Object.fromEntries(Object.entries(query).map(([k, v]) => [k, v.join(',')])) }
      : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123def4',
      domainName: 'abc123def4.execute-api.eu-west-1.amazonaws.com',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'test' },
      requestId: input.requestId ?? 'JKJaXmPLvHcESHA=',
      routeKey: `${method} ${input.resource ?? path}`,
      stage: '$default',
      timeEpoch: Date.now(),
      ...(authorizer === null ? {} : { authorizer }),
    },
    ...(input.body === undefined || input.body === null ? {} : { body: input.body }),
    isBase64Encoded: input.isBase64Encoded ?? false,
  };
}
