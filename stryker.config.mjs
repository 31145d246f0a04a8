// StrykerJS over the trust path, one folder per run (`npm run test:mutation -- <folder>`; see scripts/mutation.mjs).
// Each folder lists the source it mutates and the test files that exercise it; the tap runner runs each test file as
// its own node process (node's runner with the TAP reporter), so "perTest" coverage means: a mutant runs only the
// test files that reached it in the dry run. Results are incremental: the checked-in docs/mutation/<folder>.json lets
// the next run re-test only mutants whose code or covering tests changed.
import { folders } from './scripts/mutation-folders.mjs';

const name = process.env.MESHGATE_MUTATION_FOLDER ?? 'auth';
const folder = folders[name];
if (!folder) throw new Error(`unknown mutation folder ${name}: one of ${Object.keys(folders).join(', ')}`);

export default {
  testRunner: 'tap',
  plugins: ['@stryker-mutator/tap-runner', './scripts/mutation-ignore-error-text.mjs'],
  ignorers: ['error-text'],
  tap: {
    testFiles: folder.testFiles,
    nodeArgs: ['--import', 'tsx', '--test-reporter=./scripts/mutation-tap-reporter.mjs', '-r', '{{hookFile}}', '{{testFile}}'],
    forceBail: true,
  },
  mutate: folder.mutate,
  coverageAnalysis: 'perTest',
  // tsx runs the tests without type checking, and the default would write `// @ts-nocheck` into the sandbox's
  // generated validators, which test/ingress/schemas.test.ts then (rightly) finds out of date.
  disableTypeChecks: false,
  incremental: true,
  incrementalFile: `docs/mutation/${name}.json`,
  reporters: ['clear-text', 'progress'],
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: false, reportScoreTable: true },
  concurrency: Number(process.env.MESHGATE_MUTATION_CONCURRENCY ?? 2),
  timeoutMS: 10000,
  tempDirName: `.stryker-tmp/${name}`,
  cleanTempDir: process.env.MESHGATE_MUTATION_KEEP ? false : 'always',
  ignorePatterns: ['.stryker-tmp', '.serverless', '.esbuild', '.meshgate', 'dist', 'coverage', '.bench', 'docs', 'bench'],
};
