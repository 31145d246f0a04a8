// Parses and checks `meshgate audit` arguments; every mistake is a usage error naming the option.
import { parseArgs } from 'node:util';
import { parsePublicRoute } from './rules/route-without-authorizer';
import { SEVERITIES, type Severity } from './types';

export const FORMATS = ['table', 'json', 'sarif'] as const;
export type Format = (typeof FORMATS)[number];

export interface AuditCliOptions {
  readonly help: boolean;
  readonly policies: readonly string[];
  readonly templates: readonly string[];
  /** Route configuration whose upstreams' IAM principals are checked as service identities. */
  readonly routes: string | undefined;
  readonly live: boolean;
  readonly format: Format;
  readonly output: string | undefined;
  /** SARIF file locations under this folder are relative to it (`%SRCROOT%`). @default '.' */
  readonly sarifRoot: string;
  /** `none` never fails. @default 'low' (any finding fails) */
  readonly failOn: Severity | 'none';
  readonly baseline: string | undefined;
  readonly writeBaseline: string | undefined;
  readonly suppressions: string | undefined;
  readonly publicRoutes: readonly string[];
  readonly rotationGraceDays: number;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const AUDIT_USAGE = `usage: meshgate audit [inputs] [options]

Audits IAM policies, API routes and secrets. Report on stdout, progress on stderr.

inputs (at least one):
  --policies <file|dir>      policy JSON files or folders of them, or saved
                             'aws iam get-account-authorization-details' output (repeatable)
  --template <file>          CloudFormation template, JSON or YAML (repeatable), e.g.
                             .serverless/cloudformation-template-update-stack.json
  --live                     the live account (AWS credentials from the environment)
  --routes <file>            meshgate route configuration (config/routes.json): the IAM roles
                             its upstreams name as their identities must exist (where the
                             account is read), pin one workload, and serve one service each

options:
  --format table|json|sarif  report format (default: table)
  --output <file>            write the report to a file instead of stdout
  --sarif-root <dir>         SARIF paths under this folder are relative to it (%SRCROOT%),
                             others are absolute file:// URIs (default: the current folder)
  --fail-on <severity>       exit 1 when a finding is at or above: critical, high,
                             medium, low (default), or none
  --baseline <file>          report only findings and policy changes not in this baseline
  --write-baseline <file>    save the current findings as the accepted baseline (exit 0)
  --suppressions <file>      JSON file of findings accepted with a reason (and an expiry);
                             they are reported as suppressed and do not count for --fail-on
  --public-route "GET /path" a route that is public by design (repeatable);
                             GET /.well-known/jwks.json always is
  --rotation-grace-days <n>  days a secret rotation may be late (default: 2)
  --help                     show this help

exit codes: 0 nothing at or above --fail-on, 1 findings at or above it,
            2 bad usage, unreadable input or an invalid suppressions file`;

function oneOf<T extends string>(option: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`--${option} must be one of ${allowed.join(', ')} (got '${value}')`);
  return value as T;
}

/**
 * Parses `meshgate audit` arguments.
 *
 * @throws UsageError for an unknown option, a bad value or no input
 * @example
 * parseAuditArgs(['--template', 't.json', '--fail-on', 'medium']).failOn; // 'medium'
 */
export function parseAuditArgs(argv: readonly string[]): AuditCliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        policies: { type: 'string', multiple: true },
        template: { type: 'string', multiple: true },
        live: { type: 'boolean' },
        routes: { type: 'string' },
        format: { type: 'string' },
        output: { type: 'string' },
        'sarif-root': { type: 'string' },
        'fail-on': { type: 'string' },
        baseline: { type: 'string' },
        'write-baseline': { type: 'string' },
        suppressions: { type: 'string' },
        'public-route': { type: 'string', multiple: true },
        'rotation-grace-days': { type: 'string' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const publicRoutes = values['public-route'] ?? [];
  for (const route of publicRoutes) {
    if (parsePublicRoute(route) === undefined) throw new UsageError(`--public-route must look like "GET /path" (got '${route}')`);
  }
  const grace = values['rotation-grace-days'] === undefined ? 2 : Number(values['rotation-grace-days']);
  if (!Number.isInteger(grace) || grace < 0) throw new UsageError('--rotation-grace-days must be a whole number of days');
  const options: AuditCliOptions = {
    help: values.help === true,
    policies: values.policies ?? [],
    templates: values.template ?? [],
    routes: values.routes,
    live: values.live === true,
    format: oneOf('format', values.format, FORMATS, 'table'),
    output: values.output,
    sarifRoot: values['sarif-root'] ?? '.',
    failOn: oneOf('fail-on', values['fail-on'], [...SEVERITIES, 'none'] as const, 'low'),
    baseline: values.baseline,
    writeBaseline: values['write-baseline'],
    suppressions: values.suppressions,
    publicRoutes,
    rotationGraceDays: grace,
  };
  if (!options.help && options.policies.length === 0 && options.templates.length === 0 && !options.live && options.routes === undefined) {
    throw new UsageError('nothing to audit: give --policies, --template, --live or --routes');
  }
  return options;
}
