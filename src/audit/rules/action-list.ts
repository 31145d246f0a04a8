// Describes the actions a once-per-statement finding covers: how many, a sample worst first, and counts per access level.
import { ESCALATION_METHODS } from '../escalation-methods';
import type { ActionInfo } from '../iam-catalogue';
import { ACCESS_LEVELS, type AccessLevel, type FindingActions, type Severity } from '../types';

const SAMPLE_SIZE = 5;

/** The most powerful access level of an action (the catalogue files a few actions under two). */
function topLevel(action: ActionInfo): AccessLevel | undefined {
  return ACCESS_LEVELS.find((level) => action.accessLevels.includes(level));
}

/** Every action some published escalation method needs, lower-case: a reviewer acts on these first. */
const ESCALATION_ACTIONS: ReadonlySet<string> = new Set(ESCALATION_METHODS.flatMap((m) => m.permissions.map((p) => p.toLowerCase())));

/** Reads that return data rather than settings: secrets, objects, keys, parameters, table items, messages, records. */
const DATA_READS = [
  /^s3:GetObject/i,
  /^secretsmanager:(GetSecretValue|BatchGetSecretValue)$/i,
  /^kms:(Decrypt|GenerateDataKey)/i,
  /^ssm:GetParameter/i,
  /^dynamodb:(GetItem|BatchGetItem|Query|Scan|ExecuteStatement|PartiQLSelect)$/i,
  /^sqs:ReceiveMessage$/i,
  /^kinesis:GetRecords$/i,
  /^logs:(GetLogEvents|FilterLogEvents|StartQuery)$/i,
];

const isDataRead = (action: ActionInfo): boolean => DATA_READS.some((pattern) => pattern.test(action.name));

/** Sample order: escalation actions, permissions management, write, tagging, data reads, metadata reads, list. */
function rank(action: ActionInfo): number {
  if (ESCALATION_ACTIONS.has(action.name.toLowerCase())) return -1;
  if (isDataRead(action)) return ACCESS_LEVELS.indexOf('Read') - 0.5;
  const level = topLevel(action);
  return level === undefined ? ACCESS_LEVELS.length : ACCESS_LEVELS.indexOf(level);
}

/** Catalogue actions, each once, with a sample ordered by risk (see `rank`) and counts per access level. */
export function describeActions(actions: readonly ActionInfo[]): FindingActions {
  const unique = [...new Map(actions.map((a) => [a.name, a])).values()];
  const ranked = unique.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  const levels: Partial<Record<AccessLevel, number>> = {};
  for (const action of ranked) {
    const level = topLevel(action);
    if (level !== undefined) levels[level] = (levels[level] ?? 0) + 1;
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

/** `1 permissions management, 665 read`: the level counts, worst first. */
export function levelsText(actions: FindingActions): string {
  return ACCESS_LEVELS.filter((l) => actions.levels?.[l])
    .map((l) => `${actions.levels![l]} ${l.toLowerCase()}`)
    .join(', ');
}

/** Permissions management is high, write medium, read-only data access low. */
export function severityOfLevels(actions: FindingActions): Severity {
  if (actions.levels?.['Permissions management']) return 'high';
  return actions.levels?.Write ? 'medium' : 'low';
}
