// secret-rotation-stuck: a stale AWSPENDING version blocks every rotation ("A previous rotation isn't complete").
import { secretFinding, type Rule } from './rule';

export const secretRotationStuck: Rule = {
  kind: 'secret-rotation-stuck',
  run(ctx) {
    return ctx.input.secrets
      .filter((s) => s.stalePendingVersion !== undefined)
      .map((s) =>
        secretFinding(
          s,
          'secret-rotation-stuck',
          `secret ${s.name} has a stale AWSPENDING version ${s.stalePendingVersion}, so every rotation fails: finish it or remove the AWSPENDING label, then rotate`,
        ),
      );
  },
};
