// The tag that puts a secret under meshgate's rotation: the scheduled rotation check owns every secret that carries it.
export const MANAGED_TAG = 'meshgate:managed';

/**
 * True when the tags carry `meshgate:managed=true`, exact key and value (a DescribeSecret answer's `Tags`).
 *
 * @example
 * isManagedSecret([{ Key: 'meshgate:managed', Value: 'true' }]); // true
 */
export function isManagedSecret(tags: unknown): boolean {
  return Array.isArray(tags) && tags.some((t: { Key?: unknown; Value?: unknown } | null) => t?.Key === MANAGED_TAG && t.Value === 'true');
}
