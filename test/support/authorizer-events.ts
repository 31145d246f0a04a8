// Real-shaped API Gateway authorizer events (REST TOKEN, REST REQUEST 1.0, HTTP API REQUEST 2.0).
export const API_BASE = 'arn:aws:execute-api:eu-west-1:123456789012:abc123def4/prod';

export function restTokenEvent(authorization: string | undefined, method = 'GET', path = '/whoami'): Record<string, unknown> {
  return { type: 'TOKEN', authorizationToken: authorization, methodArn: `${API_BASE}/${method}${path}` };
}

export function restRequestEvent(headers: Record<string, string>, method = 'GET', path = '/whoami'): Record<string, unknown> {
  return {
    type: 'REQUEST',
    methodArn: `${API_BASE}/${method}${path}`,
    resource: path,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      requestId: 'req-rest-1',
      stage: 'prod',
      httpMethod: method,
      resourcePath: path,
      accountId: '123456789012',
      apiId: 'abc123def4',
    },
  };
}

export function httpApiEvent(headers: Record<string, string>, method = 'GET', path = '/whoami'): Record<string, unknown> {
  const auth = Object.entries(headers).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: `${API_BASE.replace('/prod', '/$default')}/${method}${path}`,
    identitySource: auth === undefined ? [] : [auth],
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers,
    requestContext: {
      requestId: 'req-http-1',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      stage: '$default',
    },
  };
}
