// Stage values serverless.yml cannot compute by itself:
// - `region`: `--region`, then AWS_REGION / AWS_DEFAULT_REGION, then the active profile's region in the AWS config
//   file, then the default in src/deploy/region.ts. The stage check prints which one it chose and why.
// - `assertionIssuer`: the param when it is set (a custom domain in front of the API); otherwise the API's own URL,
//   derived in the template from the REST API id, Region and stage, so the ingress signs with the issuer under which
//   this same deploy serves its JWKS (`<issuer>/.well-known/jwks.json`): one deploy, no second pass.
'use strict';
const { readFileSync } = require('node:fs');
const { homedir } = require('node:os');
const { join } = require('node:path');
const { requireTs } = require('./load-ts');

function configFile(env) {
  const path = env.AWS_CONFIG_FILE || join(homedir(), '.aws', 'config');
  try {
    return { path, text: readFileSync(path, 'utf8') };
  } catch {
    return undefined;
  }
}

/** The Region and where it came from, for the options serverless was given and this process's environment. */
function regionChoice(options = {}, env = process.env) {
  const { resolveRegion } = requireTs('src/deploy/region.ts');
  return resolveRegion({ option: options.region, profileOption: options['aws-profile'], env, configFile: configFile(env) });
}

async function region({ options }) {
  return regionChoice(options).region;
}

/** The REST API's invoke URL for a stage, as CloudFormation will write it: `https://<id>.execute-api.<region>.<suffix>/<stage>`. */
function apiUrl(stage) {
  return { 'Fn::Sub': `https://\${ApiGatewayRestApi}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}/${stage}` };
}

async function assertionIssuer({ resolveVariable }) {
  const given = await resolveVariable("param:assertionIssuer, ''");
  return given === '' ? apiUrl(await resolveVariable('sls:stage')) : given;
}

/** Where the services fetch the keys: `<assertionIssuer>/.well-known/jwks.json`, in whichever form the issuer has. */
async function jwksUrl(context) {
  return { 'Fn::Join': ['', [await assertionIssuer(context), '/.well-known/jwks.json']] };
}

module.exports = { region, regionChoice, assertionIssuer, jwksUrl, apiUrl };
