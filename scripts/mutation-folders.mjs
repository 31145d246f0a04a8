// The trust path's folders for mutation testing: what each mutates and the test files that exercise it.
// Generated code and pure re-export barrels are left out (nothing in them can be mutated into a behaviour change a
// test could see). The slowest files (the end-to-end property and the fuzz runs, a minute or more each on CI's two
// cores) are left out too: every mutant re-runs the files that reach it, and the unit, attack-corpus and pipeline
// files cover the same code in seconds. Fast files first: a mutant stops at the first file that kills it.
export const folders = {
  auth: {
    mutate: ['src/auth/**/*.ts'],
    testFiles: [
      'test/auth/policy.test.ts',
      'test/auth/identity.test.ts',
      'test/auth/context.test.ts',
      'test/auth/decision-cache.test.ts',
      'test/auth/authorize.test.ts',
      'test/auth/authorizer-event.test.ts',
      'test/ingress/identity-source.test.ts',
      'test/auth/authorizer.test.ts',
      'test/auth/jwks-cache.test.ts',
      'test/auth/token-precheck.test.ts',
      'test/auth/jwks-fetcher.test.ts',
      'test/auth/jwks-fetcher-tracing.test.ts',
      'test/auth/jwks-freshness.test.ts',
      'test/auth/verifiers.test.ts',
      'test/attacks/token-corpus.test.ts',
      'test/auth/aws-jwt-verify-contract.test.ts',
    ],
  },
  consumer: {
    mutate: ['packages/consumer/src/**/*.ts', '!packages/consumer/src/index.ts'],
    // test/consumer/package.test.ts is left out: it packs and installs the built package (tens of seconds per run)
    // and checks what the unit files check, through the compiled copy.
    testFiles: ['packages/consumer/test/*.test.ts', 'test/consumer/rotation.test.ts', 'test/demo/*.test.ts'],
  },
  exchange: {
    mutate: ['src/exchange/**/*.ts'],
    testFiles: [
      'test/exchange/*.test.ts',
      'test/attacks/exchange-corpus.test.ts',
      'test/ingress/pipeline.test.ts',
      'test/ingress/pipeline-behaviour.test.ts',
    ],
  },
  ingress: {
    mutate: ['src/ingress/**/*.ts', '!src/ingress/generated/**'],
    testFiles: ['test/ingress/*.test.ts', 'test/attacks/ingress-corpus.test.ts'],
  },
  keys: {
    mutate: ['src/keys/**/*.ts'],
    testFiles: ['test/keys/*.test.ts', 'test/ingress/pipeline.test.ts', 'test/ingress/secrets-manager-faults.test.ts'],
  },
  rotation: {
    mutate: ['src/rotation/steps.ts', 'src/rotation/strategies/**/*.ts'],
    testFiles: ['test/rotation/*.test.ts', 'test/consumer/rotation.test.ts', 'test/cli/rotate.test.ts'],
  },
};

/**
 * Folders whose tests changed after their last run, `{ "<folder>": "what changed" }`: the report lists their survivors
 * as awaiting a re-run, and the next whole run of such a folder (scripts/mutation.mjs) removes its entry.
 */
export const AWAITING_RERUN = 'docs/mutation/awaiting-rerun.json';
