// secret-rotation-disabled: a Secrets Manager secret without rotation.
import { secretFinding, type Rule } from './rule';

/**
 * The one way to tell the audit a secret holds public data only (meshgate's public JWKS, which rotation of the key
 * set rewrites): exact key and value, anything else still counts as a secret that should rotate.
 */
export const PUBLIC_DATA_TAG = { Key: 'meshgate:public', Value: 'true' } as const;

/**
 * True when the tags carry `meshgate:public=true` (CloudFormation `Tags` or a DescribeSecret answer).
 *
 * @example
 * holdsPublicData([{ Key: 'meshgate:public', Value: 'true' }]); // true
 */
export function holdsPublicData(tags: unknown): boolean {
  return (
    Array.isArray(tags) &&
    tags.some((t: { Key?: unknown; Value?: unknown } | null) => t?.Key === PUBLIC_DATA_TAG.Key && t.Value === PUBLIC_DATA_TAG.Value)
  );
}

export const secretRotationDisabled: Rule = {
  kind: 'secret-rotation-disabled',
  run(ctx) {
    return ctx.input.secrets
      .filter((s) => !s.rotationEnabled && s.publicData !== true)
      .map((s) =>
        secretFinding(
          s,
          'secret-rotation-disabled',
          `secret ${s.name} has no rotation: add a RotationSchedule (or enable rotation) with a rotation Lambda`,
        ),
      );
  },
};
