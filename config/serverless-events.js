// Generates the ingress function's API Gateway events from config/routes.json, so routes are declared once.
// serverless.yml: `events: ${file(./config/serverless-events.js):ingressEvents}`
// Routes with a bodySchema also get an API Gateway request model (JSON Schema draft 4) converted from the same
// config/schemas/<name>.json, so API Gateway rejects bad bodies before any Lambda runs. The ingress still checks
// everything: the model is an early filter, never the only one (docs/ingress.md).
'use strict';
const routes = require('./routes.json');

// Keywords whose meaning is the same in draft 4 and 2020-12.
const SAME = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'patternProperties',
  'minProperties',
  'maxProperties',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'multipleOf',
  'enum',
  'allOf',
  'anyOf',
  'oneOf',
  'not',
  'title',
  'description',
  'default',
]);
const DROPPED = new Set(['$schema', '$id', '$comment', 'examples', 'deprecated', 'readOnly', 'writeOnly']);
// Draft 4 formats with the same meaning (API Gateway may not check them: that only makes the model looser).
const DRAFT4_FORMATS = new Set(['date-time', 'email', 'hostname', 'ipv4', 'ipv6', 'uri']);
const SUBSCHEMA_MAPS = new Set(['properties', 'patternProperties']);
const SUBSCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf']);

class Unconvertible extends Error {}

/**
 * Converts a 2020-12 schema to an equivalent draft 4 schema, or throws Unconvertible when draft 4 cannot say
 * the same thing (a model that is looser or different would reject good requests or wave through bad ones
 * without anyone noticing). `const` → one-value `enum`; numeric `exclusiveMinimum/Maximum` → draft 4's boolean form.
 */
function toDraft4(schema, where = '#') {
  if (typeof schema === 'boolean') throw new Unconvertible(`${where}: boolean schema`);
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) throw new Unconvertible(`${where}: not a schema`);
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    const at = `${where}/${key}`;
    if (DROPPED.has(key)) continue;
    if (key === 'const') out.enum = [value];
    else if (key === 'format') {
      if (!DRAFT4_FORMATS.has(value)) throw new Unconvertible(`${at}: format ${value} is not in draft 4`);
      out.format = value;
    } else if (key === 'exclusiveMinimum' || key === 'exclusiveMaximum') {
      if (typeof value !== 'number') throw new Unconvertible(`${at}: not a number`);
      const bound = key === 'exclusiveMinimum' ? 'minimum' : 'maximum';
      if (schema[bound] !== undefined) throw new Unconvertible(`${at}: both ${key} and ${bound}`);
      out[bound] = value;
      out[key] = true;
    } else if (key === 'items') {
      out.items = toDraft4(value, at);
    } else if (key === 'additionalProperties' && typeof value === 'boolean') {
      out.additionalProperties = value;
    } else if (SUBSCHEMA_MAPS.has(key)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toDraft4(v, `${at}/${k}`)]));
    } else if (SUBSCHEMA_LISTS.has(key)) {
      out[key] = value.map((v, i) => toDraft4(v, `${at}/${i}`));
    } else if (key === 'additionalProperties' || key === 'not') {
      out[key] = toDraft4(value, at);
    } else if (SAME.has(key)) {
      out[key] = value;
    } else {
      throw new Unconvertible(`${at}: ${key} has no draft 4 equivalent`);
    }
  }
  return out;
}

/** The API Gateway model for a schema name, or undefined (with the reason) when draft 4 cannot express it. */
function requestModel(name) {
  const schema = require(`./schemas/${name}.json`);
  try {
    const modelName = name
      .split('-')
      .map((w) => w[0].toUpperCase() + w.slice(1))
      .join('');
    return {
      model: {
        schema: { $schema: 'http://json-schema.org/draft-04/schema#', ...toDraft4(schema) },
        name: modelName,
        description: schema.title ?? `meshgate ${name}`,
      },
    };
  } catch (err) {
    if (err instanceof Unconvertible) return { skipped: err.message };
    throw err;
  }
}

async function ingressEvents({ resolveVariable }) {
  const ttl = Number(await resolveVariable('param:authorizerTtlSeconds'));
  return routes.routes.map((route) => {
    const contentTypes = route.contentTypes ?? ['application/json'];
    const model = route.bodySchema && contentTypes.includes('application/json') ? requestModel(route.bodySchema) : undefined;
    if (model && model.skipped)
      console.warn(`meshgate: no API Gateway model for ${route.method} ${route.path} (${model.skipped}); the ingress still validates it`);
    return {
      http: {
        method: route.method === 'ANY' ? 'any' : route.method.toLowerCase(),
        path: route.path,
        authorizer:
          (route.auth ?? 'jwt') === 'iam'
            ? 'aws_iam'
            : { name: 'authorizer', type: 'request', identitySource: 'method.request.header.Authorization', resultTtlInSeconds: ttl },
        ...(model && model.model ? { request: { schemas: { 'application/json': model.model } } } : {}),
      },
    };
  });
}

/**
 * The token exchange's events: `POST /token` on the REST API and, on a deployed stage, on an HTTP API too (for
 * services that call meshgate through one), both AWS_IAM: the actor is the SigV4 caller API Gateway verified, never a
 * bearer token, never unauthenticated (`meshgate audit` flags an exchange route without AWS_IAM). The local stage
 * has only the REST route: serverless offline serves both kinds on one port and checks no SigV4 either way.
 */
async function exchangeEvents({ resolveVariable }) {
  const stage = await resolveVariable('sls:stage');
  const rest = { http: { method: 'post', path: '/token', authorizer: 'aws_iam' } };
  if (stage === 'local') return [rest];
  return [rest, { httpApi: { method: 'POST', path: '/token', authorizer: { type: 'aws_iam' } } }];
}

module.exports = { ingressEvents, exchangeEvents, toDraft4, requestModel, Unconvertible };
