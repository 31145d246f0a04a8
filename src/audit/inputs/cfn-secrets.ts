// Secrets Manager secrets declared in a template and whether a RotationSchedule covers each.
import { holdsPublicData } from '../rules/secret-rotation-disabled';
import type { Locate, SecretInput } from '../types';
import type { TemplateResources } from './cloudformation';
import { referencedId, resolveIntrinsics } from './intrinsics';

function rotationDays(rules: unknown): number | undefined {
  const r = resolveIntrinsics(rules) as Record<string, unknown> | undefined;
  if (r === undefined || r === null) return undefined;
  const days = Number(r.AutomaticallyAfterDays);
  if (Number.isFinite(days) && days > 0) return days;
  const rate = typeof r.ScheduleExpression === 'string' ? /^rate\((\d+)\s+days?\)$/.exec(r.ScheduleExpression) : null;
  return rate ? Number(rate[1]) : undefined;
}

/** Secrets with `rotationEnabled` when some AWS::SecretsManager::RotationSchedule points at them. */
export function readTemplateSecrets(resources: TemplateResources, file: string, locate: Locate): SecretInput[] {
  const schedules = new Map<string, number | undefined>();
  for (const res of Object.values(resources)) {
    if (res.Type !== 'AWS::SecretsManager::RotationSchedule') continue;
    const target = referencedId(res.Properties?.SecretId);
    if (target !== undefined) schedules.set(target, rotationDays(res.Properties?.RotationRules));
  }
  return Object.entries(resources)
    .filter(([, res]) => res.Type === 'AWS::SecretsManager::Secret')
    .map(([id, res]) => {
      const name = resolveIntrinsics(res.Properties?.Name);
      const line = locate(['Resources', id]);
      const days = schedules.get(id);
      return {
        name: typeof name === 'string' ? name : id,
        resource: id,
        rotationEnabled: schedules.has(id),
        ...(days === undefined ? {} : { rotationDays: days }),
        ...(holdsPublicData(resolveIntrinsics(res.Properties?.Tags)) ? { publicData: true as const } : {}),
        location: line === undefined ? { file } : { file, line },
      };
    });
}
