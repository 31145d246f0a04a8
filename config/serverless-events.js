// Generates the ingress function's API Gateway events from config/routes.json, so routes are declared once.
// serverless.yml: `events: ${file(./config/serverless-events.js):ingressEvents}`
'use strict';
const routes = require('./routes.json');

async function ingressEvents({ resolveVariable }) {
  const ttl = Number(await resolveVariable('param:authorizerTtlSeconds'));
  return routes.routes.map((route) => ({
    http: {
      method: route.method === 'ANY' ? 'any' : route.method.toLowerCase(),
      path: route.path,
      authorizer:
        (route.auth ?? 'jwt') === 'iam'
          ? 'aws_iam'
          : { name: 'authorizer', type: 'request', identitySource: 'method.request.header.Authorization', resultTtlInSeconds: ttl },
    },
  }));
}

module.exports = { ingressEvents };
