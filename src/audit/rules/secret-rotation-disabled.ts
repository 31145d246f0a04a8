// secret-rotation-disabled: a Secrets Manager secret without rotation.
import { secretFinding, type Rule } from './rule';

export const secretRotationDisabled: Rule = {
  kind: 'secret-rotation-disabled',
  run(ctx) {
    return ctx.input.secrets
      .filter((s) => !s.rotationEnabled)
      .map((s) => secretFinding(s, 'secret-rotation-disabled', `secret ${s.name} has no rotation: add a RotationSchedule (or enable rotation) with a rotation Lambda`));
  },
};
