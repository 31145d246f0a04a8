// Types of scripts/lambda-node.mjs for the tests that import it.
export declare function lambdaNodeMajor(serverlessYml?: string): number;
export declare function findLambdaNode(here?: {
  execPath?: string;
  version?: string;
  packaged?: string;
  platform?: string;
  arch?: string;
}): string | Error;
export declare function lambdaNodeOrExit(what: string): string;
export declare function envWithNodeFirst(node: string, env?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
