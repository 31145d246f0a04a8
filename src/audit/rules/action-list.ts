// Describes the actions a once-per-statement finding covers: how many, a sample worst first, and counts per tier.
import { isDataRead } from '../data-reads';
import { ESCALATION_METHODS } from '../escalation-methods';
import type { ActionInfo } from '../iam-catalogue';
import { ACCESS_LEVELS, ACTION_TIERS, type ActionTier, type FindingActions, type Severity } from '../types';

const SAMPLE_SIZE = 5;

/**
 * The most powerful tier of an action: permissions management, then a data read whatever level the catalogue files
 * it under (kms:Decrypt is Write there), then the catalogue's most powerful level, Read counting as a metadata read.
 */
function tierOf(action: ActionInfo): ActionTier | undefined {
  if (action.accessLevels.includes('Permissions management')) return 'Permissions management';
  if (isDataRead(action.name)) return 'Data read';
  const level = ACCESS_LEVELS.find((l) => action.accessLevels.includes(l));
  return level === 'Read' ? 'Metadata read' : level;
}

/** Every action some published escalation method needs, lower-case: a reviewer acts on these first. */
const ESCALATION_ACTIONS: ReadonlySet<string> = new Set(ESCALATION_METHODS.flatMap((m) => m.permissions.map((p) => p.toLowerCase())));

/** Sample order: escalation actions, then permissions management, write, data read, tagging, metadata read, list. */
function rank(action: ActionInfo): number {
  if (ESCALATION_ACTIONS.has(action.name.toLowerCase())) return -1;
  const tier = tierOf(action);
  return tier === undefined ? ACTION_TIERS.length : ACTION_TIERS.indexOf(tier);
}

/** Catalogue actions, each once, with a sample ordered by risk (see `rank`) and counts per tier. */
export function describeActions(actions: readonly ActionInfo[]): FindingActions {
  const unique = [...new Map(actions.map((a) => [a.name, a])).values()];
  const ranked = unique.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  const levels: Partial<Record<ActionTier, number>> = {};
  for (const action of ranked) {
    const tier = tierOf(action);
    if (tier !== undefined) levels[tier] = (levels[tier] ?? 0) + 1;
  }
  return { count: ranked.length, sample: ranked.slice(0, SAMPLE_SIZE).map((a) => a.name), levels };
}

/** Action elements as written (wildcards, unknown names), each once, in statement order. */
export function listActions(elements: readonly string[]): FindingActions {
  const unique = [...new Set(elements)];
  return { count: unique.length, sample: unique.slice(0, SAMPLE_SIZE) };
}

/**
 * One action by name, or how many with the sample.
 *
 * @example
 * actionsText({ count: 47, sample: ['iam:PutRolePolicy', 's3:PutObject'] }); // '47 actions incl. iam:PutRolePolicy, s3:PutObject, …'
 */
export function actionsText(actions: FindingActions): string {
  if (actions.count === 1) return actions.sample[0]!;
  const more = actions.count > actions.sample.length ? ', …' : '';
  return `${actions.count} actions incl. ${actions.sample.join(', ')}${more}`;
}

/** `1 permissions management, 3 data read, 662 metadata read`: the tier counts, worst first. */
export function levelsText(actions: FindingActions): string {
  return ACTION_TIERS.filter((l) => actions.levels?.[l])
    .map((l) => `${actions.levels![l]} ${l.toLowerCase()}`)
    .join(', ');
}

/** Permissions management is high, write or a data read medium, metadata reads alone low. */
export function severityOfLevels(actions: FindingActions): Severity {
  if (actions.levels?.['Permissions management']) return 'high';
  return actions.levels?.Write || actions.levels?.['Data read'] ? 'medium' : 'low';
}
