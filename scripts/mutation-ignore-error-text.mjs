// A Stryker ignorer: the human-readable message of a thrown meshgate error is not mutated. The contract is the error's
// code (and, for a ConfigError, the path it names), which tests pin; the sentence after it is wording for people, and
// mutating it only produces survivors that say nothing about the trust path. The first argument is always kept, so
// `new Error('Unauthorized')` (API Gateway's contract) and every code are still mutated.
import { PluginKind, declareValuePlugin } from '@stryker-mutator/api/plugin';

const ERROR_CONSTRUCTOR = /Error$/;

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'error-text', {
    shouldIgnore(path) {
      if (!path.isStringLiteral() && !path.isTemplateLiteral()) return undefined;
      const parent = path.parentPath;
      if (!parent?.isNewExpression()) return undefined;
      const callee = parent.node.callee;
      if (callee.type !== 'Identifier' || !ERROR_CONSTRUCTOR.test(callee.name)) return undefined;
      if (parent.node.arguments.indexOf(path.node) < 1) return undefined;
      return 'an error message is wording for people; its code is the contract and is tested';
    },
  }),
];
