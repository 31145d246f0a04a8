// A Stryker ignorer: the human-readable message of a refusal is not mutated. The contract is the error's code (and
// reason, or the path a ConfigError names), which tests pin; the sentence after it is wording for people, and mutating
// it only produces survivors that say nothing about the trust path. The message is the last string argument of an
// `new …Error(…)` or of a refusal factory (`invalid`, `refused`, `refuse`, `invalidResponse`), never the first: so
// `new Error('Unauthorized')` (API Gateway's contract), every code and every reason are still mutated.
import { PluginKind, declareValuePlugin } from '@stryker-mutator/api/plugin';

const ERROR_CONSTRUCTOR = /Error$/;
const REFUSAL_FACTORIES = new Set(['invalid', 'refused', 'refuse', 'invalidResponse']);

function isRefusal(call) {
  if (!call.isNewExpression() && !call.isCallExpression()) return false;
  const callee = call.node.callee;
  if (callee.type !== 'Identifier') return false;
  return call.isNewExpression() ? ERROR_CONSTRUCTOR.test(callee.name) : REFUSAL_FACTORIES.has(callee.name);
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'error-text', {
    shouldIgnore(path) {
      if (!path.isStringLiteral() && !path.isTemplateLiteral()) return undefined;
      const call = path.parentPath;
      if (!call || !isRefusal(call)) return undefined;
      const args = call.node.arguments;
      const last = args.findLastIndex((a) => a.type !== 'ObjectExpression');
      if (last < 1 || args[last] !== path.node) return undefined;
      return 'a refusal message is wording for people; its code and reason are the contract and are tested';
    },
  }),
];
