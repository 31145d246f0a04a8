// A local Serverless plugin: teaches Serverless 3.40's configuration schema the Lambda runtimes it predates
// (nodejs22.x), so `serverless package` and `invoke local` validate this service with no warning and
// configValidationMode can be 'error'. The AWS provider plugin, loaded before service plugins, has already put its
// runtime list in the schema; validation runs after every plugin is constructed, so adding to it here takes effect.
// Serverless v3 has no public API to extend an enum of the built-in provider (defineProvider is for new providers),
// hence the edit of configSchemaHandler.schema, checked so a Serverless that moves the list fails loudly.
'use strict';

const RUNTIMES = ['nodejs22.x'];

class LambdaRuntimeSchema {
  constructor(serverless) {
    const runtime = serverless.configSchemaHandler?.schema?.definitions?.awsLambdaRuntime;
    if (!Array.isArray(runtime?.enum))
      throw new Error('config/serverless-runtime-schema.js: no awsLambdaRuntime enum in the Serverless schema');
    for (const name of RUNTIMES) if (!runtime.enum.includes(name)) runtime.enum.push(name);
  }
}

module.exports = LambdaRuntimeSchema;
