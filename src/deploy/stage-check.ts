// Package-time check of a stage: the functions' own configuration loaders run on the environment each function will
// get in AWS, and the first error names the function, the variable and the serverless.yml param that sets it.
import { isLoopbackHost } from '@meshgate/consumer';
import type { Env } from '../config/env';
import type { AuthorizerConfig } from '../auth/authorizer-config';
import type { IssuerConfig } from '../config/issuers';
import type { ExchangeConfig } from '../exchange/exchange-config';
import type { IngressConfig } from '../ingress/ingress-config';
import { isMeshgateError } from '../errors';
import { sampleValue, type SampleContext } from './template-values';

/** The stage `npm start` runs under serverless offline: file key store, loopback HTTP. Never packaged for AWS. */
export const LOCAL_STAGE = 'local';

/** Each function's cold-start loader (functions/<name>/config.ts); a function without one is not checked. */
export interface StageLoaders {
  readonly authorizer: (env: Env) => AuthorizerConfig;
  readonly ingress: (env: Env) => IngressConfig;
  readonly [name: string]: (env: Env) => unknown;
}

export interface StageFunction {
  readonly name: string;
  /** The function's environment as serverless resolved it (provider's and its own); values may be intrinsics. */
  readonly environment: Readonly<Record<string, unknown>>;
  /** The same variables as written in serverless.yml (`${param:issuers}`), to name the param behind a variable. */
  readonly rawEnvironment: Readonly<Record<string, unknown>>;
}

export interface StageCheckInput {
  readonly stage: string;
  readonly region: string;
  readonly functions: readonly StageFunction[];
  readonly loaders: StageLoaders;
  /** Sample values of the template's resources for intrinsics in the environment (e.g. the REST API id). */
  readonly refs?: SampleContext['refs'];
}

export interface StageProblem {
  /** The serverless.yml param to fix, when a param sets the variable. */
  readonly param: string | undefined;
  readonly variable: string | undefined;
  readonly function: string | undefined;
  /** What is wrong, with the field (`issuers[0].audience: must not be empty`). */
  readonly message: string;
}

/** Parse roots the loaders name instead of the variable they parsed (`issuers[1].audience` is in MESHGATE_ISSUERS). */
const PARSE_ROOTS: Readonly<Record<string, string>> = { issuers: 'MESHGATE_ISSUERS' };

/**
 * Hosts reserved for documentation and testing (RFC 2606, RFC 6761): never a real issuer, upstream or API. `localhost`
 * and other loopback hosts are refused on a real stage by the same rule: inside Lambda they are the function itself.
 */
function isPlaceholderHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return isLoopbackHost(host) || /(^|\.)example\.(com|net|org)$/.test(host) || /(^|\.)(example|test|invalid|localhost)$/.test(host);
}

/**
 * The param a raw serverless.yml value reads, if any: `${param:issuers}` → `issuers`; a stage resolver
 * (`${file(./config/serverless-stage.js):assertionIssuer}`) is named after the param it reads.
 */
function paramOf(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  return /\$\{(?:param:|file\(\.\/config\/serverless-stage\.js\):)([A-Za-z0-9_-]+)/.exec(raw)?.[1];
}

/** The variable a loader's field path points into: `MESHGATE_UPSTREAMS.demo` → MESHGATE_UPSTREAMS. */
function variableOf(path: string, env: Readonly<Record<string, unknown>>): string | undefined {
  const root = /^[A-Za-z0-9_]+/.exec(path)?.[0] ?? '';
  if (root in env) return root;
  return PARSE_ROOTS[root];
}

/** The URLs a real stage must not point at a placeholder or loopback host, with the field that holds each. */
function urlsOf(name: string, config: unknown): Array<[field: string, variable: string, url: string]> {
  if (name === 'authorizer') return issuerUrls((config as AuthorizerConfig).issuers);
  if (name === 'exchange') {
    const exchange = config as ExchangeConfig;
    return [['MESHGATE_ASSERTION_ISSUER', 'MESHGATE_ASSERTION_ISSUER', exchange.issuer], ...issuerUrls(exchange.actorTokenIssuers ?? [])];
  }
  if (name === 'ingress') {
    const ingress = config as IngressConfig;
    return [
      ...[...ingress.upstreamUrls].map(
        ([upstream, url]) => [`MESHGATE_UPSTREAMS.${upstream}`, 'MESHGATE_UPSTREAMS', url.href] as [string, string, string],
      ),
      ['MESHGATE_ASSERTION_ISSUER', 'MESHGATE_ASSERTION_ISSUER', ingress.assertion.issuer],
    ];
  }
  return [];
}

function issuerUrls(issuers: readonly IssuerConfig[]): Array<[field: string, variable: string, url: string]> {
  return issuers.flatMap((issuer, i) => [
    [`issuers[${i}].issuer`, 'MESHGATE_ISSUERS', issuer.issuer] as [string, string, string],
    ...issuer.aliases.map((alias, j) => [`issuers[${i}].aliases[${j}]`, 'MESHGATE_ISSUERS', alias] as [string, string, string]),
    [`issuers[${i}].jwksUri`, 'MESHGATE_ISSUERS', issuer.jwksUri] as [string, string, string],
  ]);
}

/** The environment a function sees in Lambda, intrinsics replaced by samples, plus the variables Lambda sets. */
function lambdaEnv(fn: StageFunction, input: StageCheckInput): Env {
  const ctx: SampleContext = { region: input.region, refs: input.refs };
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(fn.environment)) env[name] = sampleValue(value, ctx);
  return {
    ...env,
    AWS_LAMBDA_FUNCTION_NAME: `meshgate-${input.stage}-${fn.name}`,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_REGION: input.region,
  };
}

function problemIn(fn: StageFunction, variable: string | undefined, message: string): StageProblem {
  return { function: fn.name, variable, param: variable === undefined ? undefined : paramOf(fn.rawEnvironment[variable]), message };
}

/**
 * Runs every function's configuration loader on the environment it will have in AWS and returns the first problem,
 * or undefined when the stage can be packaged. Refuses the local stage, and any issuer, upstream or assertion issuer
 * on a placeholder (`example.com`, `.test`, …) or loopback host. Errors other than configuration errors propagate.
 *
 * @example
 * // given: declare const functions: StageFunction[], loaders: StageLoaders;
 * const problem = checkStage({ stage: 'prod', region: 'eu-west-1', functions, loaders });
 * if (problem) throw new Error(formatStageProblem('prod', problem));
 */
export function checkStage(input: StageCheckInput): StageProblem | undefined {
  if (input.stage === LOCAL_STAGE) {
    return {
      param: undefined,
      variable: undefined,
      function: undefined,
      message: `stage ${LOCAL_STAGE} is for serverless offline (npm start) and invoke local only: it uses the file key store and plain HTTP on loopback. Package or deploy a real stage, e.g. --stage dev or --stage prod`,
    };
  }
  for (const fn of input.functions) {
    const load = input.loaders[fn.name];
    if (load === undefined) continue;
    let config: unknown;
    try {
      config = load(lambdaEnv(fn, input));
    } catch (err) {
      if (!isMeshgateError(err) || err.code !== 'config_invalid') throw err;
      const path = (err as { path?: string }).path ?? '';
      return problemIn(fn, variableOf(path, fn.environment), err.message);
    }
    for (const [field, variable, url] of urlsOf(fn.name, config)) {
      if (isPlaceholderHost(new URL(url).hostname))
        return problemIn(fn, variable, `${field}: ${url} is a placeholder or loopback host, not one a deployed stage can use`);
    }
  }
  return undefined;
}

/**
 * The message `serverless package` and `serverless deploy` stop with: what is wrong, and where to fix it.
 *
 * @example
 * formatStageProblem('prod', { param: 'issuers', variable: 'MESHGATE_ISSUERS', function: 'authorizer', message: 'MESHGATE_ISSUERS: is required' })
 */
export function formatStageProblem(stage: string, problem: StageProblem): string {
  const where =
    problem.param !== undefined
      ? `param ${problem.param} (${problem.variable} of function ${problem.function})`
      : problem.variable !== undefined
        ? `${problem.variable} of function ${problem.function}`
        : problem.function !== undefined
          ? `function ${problem.function}`
          : undefined;
  const fix =
    problem.param !== undefined
      ? `Set it with --param="${problem.param}=…" or under params.${stage} in serverless.yml (docs/deploy.md "Params").`
      : problem.function !== undefined
        ? 'Fix serverless.yml or the file the field names (docs/deploy.md "Params").'
        : '';
  return [`meshgate: stage ${stage} was not packaged, nothing was uploaded${where ? `: ${where}` : ''}: ${problem.message}.`, fix]
    .filter(Boolean)
    .join(' ');
}
