// The CloudWatch dashboard of a stage, as code: serverless.yml `DashboardBody: ${file(./config/serverless-dashboard.js):dashboardBody}`.
// Returns an `Fn::Sub` of the body's JSON, so function names, the region and alarm ARNs come from the stack itself
// (`${AuthorizerLambdaFunction}`, `${AWS::Region}`, `${AuthorizerErrorsAlarm.Arn}`). Every metric named here is one the
// code emits (EMF, namespace `metricsNamespace`, dimension `service`) or one AWS publishes for Lambda and API Gateway;
// test/deploy/package.test.ts checks the names against the code, so a renamed metric fails the test, not the dashboard.
'use strict';

/** The alarms defined in serverless.yml `resources`, in the order the alarm widget shows them. */
const ALARMS = [
  'AuthorizerErrorsAlarm',
  'ExchangeErrorsAlarm',
  'AuthorizerThrottlesAlarm',
  'AuthorizerConfigInvalidAlarm',
  'AuthorizerJwksUnavailableAlarm',
  'AuthorizerRefusalRatioAlarm',
  'IngressConfigInvalidAlarm',
  'IngressKeyStoreAlarm',
  'Ingress5xxAlarm',
  'RotationFailedAlarm',
  'SecretRotationAlarm',
  'AuditFindingsAlarm',
  'ScheduledJobErrorsAlarm',
  'AuditJobErrorsAlarm',
];

const FIVE_MINUTES = 300;
const ONE_HOUR = 3600;

async function dashboardBody({ resolveVariable }) {
  const namespace = await resolveVariable('param:metricsNamespace');
  const service = await resolveVariable('self:provider.environment.POWERTOOLS_SERVICE_NAME');
  const apiName = `${await resolveVariable('sls:stage')}-${await resolveVariable('self:service')}`;
  const stage = await resolveVariable('sls:stage');

  const region = '${AWS::Region}';
  const emf = (name, options = {}) => [namespace, name, 'service', service, options];
  const lambda = (fn, name, options = {}) => ['AWS/Lambda', name, 'FunctionName', `\${${fn}LambdaFunction}`, options];
  const api = (name, options = {}) => ['AWS/ApiGateway', name, 'ApiName', apiName, 'Stage', stage, options];
  const graph = (x, y, w, h, title, metrics, extra = {}) => ({
    type: 'metric',
    x,
    y,
    width: w,
    height: h,
    properties: { title, region, view: 'timeSeries', stacked: false, stat: 'Sum', period: FIVE_MINUTES, metrics, ...extra },
  });

  const widgets = [
    {
      type: 'text',
      x: 0,
      y: 0,
      width: 24,
      height: 2,
      properties: {
        markdown: `## meshgate ${stage}\nWhat each alarm means and what to do: README, "Alarms and dashboard". EMF metrics: namespace \`${namespace}\`, dimension \`service=${service}\`.`,
      },
    },
    { type: 'alarm', x: 0, y: 2, width: 24, height: 3, properties: { title: 'Alarms', alarms: ALARMS.map((id) => `\${${id}.Arn}`) } },
    graph(0, 5, 12, 6, 'Total refusal: authorizer (every caller refused?)', [
      emf('AuthorizerAllowed', { id: 'allowed', visible: false }),
      emf('AuthorizerDenied', { id: 'denied', visible: false }),
      emf('AuthorizerUnauthorized', { id: 'unauthorized', visible: false }),
      [{ expression: 'FILL(allowed, 0) + FILL(denied, 0) + FILL(unauthorized, 0)', id: 'decisions', visible: false }],
      [
        {
          expression: 'IF(decisions >= 20, (FILL(denied, 0) + FILL(unauthorized, 0)) / decisions, 0)',
          label: 'share refused, right axis (alarm: AuthorizerRefusalRatioAlarm; 0 below 20 decisions)',
          id: 'ratio',
          yAxis: 'right',
        },
      ],
      emf('AuthorizerConfigInvalid', { label: 'configuration invalid (alarm: AuthorizerConfigInvalidAlarm)' }),
      emf('AuthorizerJwksUnavailable', { label: 'refused: issuer JWKS unavailable (alarm: AuthorizerJwksUnavailableAlarm)' }),
      emf('JwksRefreshFailed', { label: 'issuer JWKS refreshes failed (last good set still served until its stale window ends)' }),
    ]),
    graph(12, 5, 12, 6, 'Total refusal: ingress (503 on every request?)', [
      emf('IngressConfigInvalid', { label: 'configuration invalid (alarm: IngressConfigInvalidAlarm)' }),
      emf('IngressKeyStoreUnavailable', { label: 'signing keys unavailable (alarm: IngressKeyStoreAlarm)' }),
    ]),
    graph(0, 11, 12, 6, 'Authorizer decisions (EMF, one per authorizer invocation; API Gateway caches results)', [
      emf('AuthorizerAllowed', { label: 'allow' }),
      emf('AuthorizerDenied', { label: 'deny (403)' }),
      emf('AuthorizerUnauthorized', { label: 'unauthorized (401)' }),
    ]),
    graph(12, 11, 12, 6, 'Authorizer Lambda: failures and throttles', [
      lambda('Authorizer', 'Errors', { id: 'errors', visible: false }),
      emf('AuthorizerUnauthorized', { id: 'unauthorized', visible: false }),
      [
        {
          expression: 'FILL(errors, 0) - FILL(unauthorized, 0)',
          label: 'errors other than 401 (alarm: AuthorizerErrorsAlarm)',
          id: 'failures',
        },
      ],
      lambda('Authorizer', 'Throttles', { label: 'throttles' }),
    ]),
    graph(0, 17, 12, 6, 'API status classes (API Gateway, every route)', [
      api('Count', { id: 'requests', visible: false }),
      api('4XXError', { id: 'c4xx', label: '4xx' }),
      api('5XXError', { id: 'c5xx', label: '5xx' }),
      [{ expression: 'requests - c4xx - c5xx', label: '2xx/3xx', id: 'ok' }],
    ]),
    graph(12, 17, 12, 6, 'Ingress outcomes (EMF, one per request the ingress handles)', [
      emf('IngressForwarded', { label: 'forwarded' }),
      emf('IngressUnauthorized', { label: 'unauthorized (401)' }),
      emf('IngressDeny', { label: 'deny (403)' }),
      emf('IngressInvalid', { label: 'invalid request (4xx)' }),
      emf('IngressNotFound', { label: 'not found (404)' }),
      emf('IngressUpstreamError', { label: 'upstream error (5xx)' }),
      emf('IngressError', { label: 'error (5xx)' }),
    ]),
    graph(
      0,
      23,
      24,
      6,
      'Latency (ms)',
      [
        api('Latency', { stat: 'p50', label: 'API p50' }),
        api('Latency', { stat: 'p99', label: 'API p99' }),
        api('IntegrationLatency', { stat: 'p99', label: 'integration p99' }),
        lambda('Ingress', 'Duration', { stat: 'p99', label: 'ingress Lambda p99' }),
        lambda('Authorizer', 'Duration', { stat: 'p99', label: 'authorizer Lambda p99' }),
      ],
      { stat: 'Average' },
    ),
    graph(
      0,
      29,
      12,
      6,
      'Rotation: the rotate function (Secrets Manager drives it)',
      [
        lambda('Rotate', 'Invocations', { label: 'steps run' }),
        lambda('Rotate', 'Errors', { label: 'steps failed (alarm: RotationFailedAlarm)' }),
      ],
      { period: ONE_HOUR },
    ),
    graph(
      12,
      29,
      12,
      6,
      'Rotation: the scheduled check of managed secrets (each run of the scheduled function)',
      [
        emf('SecretsChecked', { label: 'checked' }),
        emf('RotationsStarted', { label: 'rotations started' }),
        emf('Overdue', { label: 'overdue' }),
        emf('Stuck', { label: 'stuck' }),
        emf('Disabled', { label: 'rotation disabled' }),
        emf('Errors', { label: 'check errors' }),
      ],
      { stat: 'Maximum', period: ONE_HOUR },
    ),
    graph(
      0,
      35,
      12,
      6,
      'Live audit findings by severity (each run of the audit function; suppressed ones excluded)',
      [
        emf('AuditFindingsCritical', { label: 'critical' }),
        emf('AuditFindingsHigh', { label: 'high' }),
        emf('AuditFindingsMedium', { label: 'medium' }),
        emf('AuditFindingsLow', { label: 'low' }),
      ],
      { stat: 'Maximum', period: ONE_HOUR },
    ),
    graph(
      12,
      35,
      12,
      6,
      'Scheduled functions: rotation check (scheduled) and live audit (audit)',
      [
        lambda('Scheduled', 'Invocations', { label: 'rotation check runs' }),
        lambda('Scheduled', 'Errors', { label: 'rotation check failed runs (alarm: ScheduledJobErrorsAlarm)' }),
        lambda('Scheduled', 'Duration', { stat: 'Maximum', label: 'rotation check duration max (ms)', yAxis: 'right' }),
        lambda('Audit', 'Invocations', { label: 'audit runs' }),
        lambda('Audit', 'Errors', { label: 'audit failed runs (alarm: AuditJobErrorsAlarm)' }),
        lambda('Audit', 'Duration', { stat: 'Maximum', label: 'audit duration max (ms)', yAxis: 'right' }),
      ],
      { period: ONE_HOUR },
    ),
    graph(0, 35, 24, 6, 'Token exchange outcomes (EMF, one per POST /token)', [
      emf('ExchangeIssued', { label: 'issued' }),
      emf('ExchangeRefused', { label: 'refused (4xx: a rule said no)' }),
      emf('ExchangeFailed', { label: 'failed (503, alarm: ExchangeErrorsAlarm)' }),
      lambda('Exchange', 'Errors', { label: 'exchange Lambda errors' }),
    ]),
  ];

  // `${!` would be Fn::Sub's escape for a literal `${`; the body has none but the placeholders above.
  return { 'Fn::Sub': JSON.stringify({ widgets }) };
}

module.exports = { dashboardBody, ALARMS };
