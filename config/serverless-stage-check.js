// meshgate's serverless plugin. Before `serverless package` or `serverless deploy` does anything (no bundle, no
// upload), it prints the stage and Region and runs the functions' own configuration loaders (functions/*/config.ts)
// on the environment each function will get, and stops on the first error naming the param to fix
// (src/deploy/stage-check.ts). When the REST API is compiled it adds the gateway responses that make API Gateway's
// own refusals problem+json (src/http/gateway-responses.ts).
'use strict';
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const { parse } = require('yaml');
const routes = require('./routes.json');
const { requireTs } = require('./load-ts');
const { regionChoice } = require('./serverless-stage');

/** The commands that build or upload an artifact for AWS. */
const CHECKED_COMMANDS = new Set(['package', 'deploy', 'deploy function']);
const REST_API = 'ApiGatewayRestApi';

/**
 * One loader per function that has a functions/<name>/config.ts: its one `load…Config` export, given the environment
 * and the route table (loaders that take only the environment ignore it). Found on disk, so a new function is
 * checked without anyone remembering to list it here.
 */
function loaders() {
  const dir = join(__dirname, '..', 'functions');
  const found = {};
  for (const name of readdirSync(dir)) {
    if (!existsSync(join(dir, name, 'config.ts'))) continue;
    found[name] = (env) => {
      const exported = Object.entries(requireTs(`functions/${name}/config.ts`)).filter(
        ([key, value]) => /^load[A-Za-z]*Config$/.test(key) && typeof value === 'function',
      );
      if (exported.length !== 1) throw new Error(`functions/${name}/config.ts must export exactly one load…Config function`);
      return exported[0][1](env, routes);
    };
  }
  return found;
}

/** serverless.yml as written (variables unresolved), so a variable can be traced back to its `${param:…}`. */
function rawConfiguration(serverless) {
  const { CFN_TAGS } = requireTs('src/audit/inputs/cfn-yaml.ts');
  const file = join(serverless.serviceDir, serverless.configurationFilename);
  return parse(readFileSync(file, 'utf8'), { customTags: CFN_TAGS });
}

class MeshgateStageCheck {
  constructor(serverless, options, { log }) {
    this.serverless = serverless;
    this.options = options;
    this.log = log;
    this.hooks = {
      initialize: () => this.check(),
      'after:package:compileEvents': () => this.addGatewayResponses(),
    };
  }

  check() {
    if (!CHECKED_COMMANDS.has(this.serverless.processedInput.commands.join(' '))) return;
    const { checkStage, formatStageProblem } = requireTs('src/deploy/stage-check.ts');
    const { SAMPLE_REST_API_ID } = requireTs('src/deploy/template-values.ts');
    const service = this.serverless.service;
    const stage = this.serverless.getProvider('aws').getStage();
    const { region, source } = regionChoice(this.options);
    this.log.notice(
      `meshgate: stage ${stage}, region ${region} (${source === 'default' ? 'default: no --region, AWS_REGION or profile region' : `from ${source}`})`,
    );

    const raw = rawConfiguration(this.serverless);
    const functions = Object.entries(service.functions ?? {}).map(([name, fn]) => ({
      name,
      environment: { ...service.provider.environment, ...fn.environment },
      rawEnvironment: { ...raw.provider?.environment, ...raw.functions?.[name]?.environment },
    }));
    const problem = checkStage({ stage, region, functions, loaders: loaders(), refs: { [REST_API]: SAMPLE_REST_API_ID } });
    if (problem) throw new this.serverless.classes.Error(formatStageProblem(stage, problem), 'MESHGATE_STAGE_INVALID');
  }

  addGatewayResponses() {
    const resources = this.serverless.service.provider.compiledCloudFormationTemplate.Resources;
    if (!(REST_API in resources)) return;
    const { gatewayResponseResources } = requireTs('src/http/gateway-responses.ts');
    Object.assign(resources, gatewayResponseResources(REST_API));
  }
}

module.exports = MeshgateStageCheck;
