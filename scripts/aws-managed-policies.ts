// AWS managed policies as moto ships them (a snapshot of every policy's default version), read through python3.
import { spawnSync } from 'node:child_process';

export interface ManagedPolicy {
  readonly name: string;
  readonly path: string;
  /** The default version's document. */
  readonly document: unknown;
}

const PYTHON = `
import json, sys, moto
from moto.iam.aws_managed_policies import aws_managed_policies_data
policies = json.loads(aws_managed_policies_data)
json.dump({"version": moto.__version__, "policies": [
    {"name": n, "path": p["Path"], "document": p["Document"]} for n, p in sorted(policies.items())]}, sys.stdout)
`;

export interface MotoManagedPolicies {
  /** moto's version, e.g. `5.2.1`. */
  readonly version: string;
  readonly policies: readonly ManagedPolicy[];
}

export const MOTO_HINT = 'install Python 3 and moto 5.2.1: python3 -m pip install "moto[iam]==5.2.1"';

/**
 * Reads moto's AWS managed policies (1,485 in moto 5.2.1), sorted by name.
 *
 * @throws Error naming what to install when python3 or moto is missing
 */
export function readMotoManagedPolicies(python = 'python3'): MotoManagedPolicies {
  const run = spawnSync(python, ['-c', PYTHON], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  if (run.error || run.status !== 0) {
    const why = run.error ? run.error.message : (run.stderr.trim().split('\n').at(-1) ?? `exit ${run.status}`);
    throw new Error(`cannot read AWS managed policies from moto (${why}): ${MOTO_HINT}`);
  }
  return JSON.parse(run.stdout) as MotoManagedPolicies;
}
