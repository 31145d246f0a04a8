// The one definition of when a secret's rotation is overdue or stuck, used by the scheduled rotation check and by
// the audit's secret rules: its schedule (rate, AutomaticallyAfterDays, cron) plus a grace period, and the age of a
// pending version.
import type { RotationRulesType } from '@aws-sdk/client-secrets-manager';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** When a managed secret counts as overdue or stuck: read by functions/scheduled/config.ts at cold start. */
export interface SchedulePolicy {
  /** Slack after the due date before a secret counts as overdue (rotation windows, retries). @default 24 h */
  readonly graceMs: number;
  /** Age after which an AWSPENDING version that is not AWSCURRENT counts as stuck, not in progress. @default 2 h */
  readonly stuckAfterMs: number;
  /** Maximum age used when the schedule is a cron expression and Secrets Manager reports no NextRotationDate. @default 90 days */
  readonly fallbackMaxAgeMs: number;
  /** Start RotateSecret for overdue secrets; false reports only. @default true */
  readonly startRotation: boolean;
}

/**
 * The defaults both the scheduled check and the audit use. Grace 24 h: Secrets Manager rotates inside a window of
 * up to 24 h after the due date (`Duration`), so a day late is the earliest that is really late. Stuck after 2 h:
 * the four rotation steps take minutes, and Secrets Manager stops retrying a failed rotation well before that, so
 * an older AWSPENDING is left over and blocks every rotation until someone acts.
 */
export const DEFAULT_ROTATION_THRESHOLDS = Object.freeze({
  graceMs: 24 * HOUR_MS,
  stuckAfterMs: 2 * HOUR_MS,
  fallbackMaxAgeMs: 90 * DAY_MS,
});

/** The audit's `--rotation-grace-days` default: the same grace, in the unit of that option. */
export const DEFAULT_ROTATION_GRACE_DAYS = DEFAULT_ROTATION_THRESHOLDS.graceMs / DAY_MS;

export type RotationThresholds = Pick<SchedulePolicy, 'graceMs' | 'stuckAfterMs' | 'fallbackMaxAgeMs'>;

/**
 * The rotation interval a schedule promises, or undefined for a cron schedule (its interval is not one number).
 * `ScheduleExpression` wins over `AutomaticallyAfterDays`, as in Secrets Manager.
 *
 * @example
 * rotationIntervalMs({ ScheduleExpression: 'rate(30 days)' }) // 2_592_000_000
 */
export function rotationIntervalMs(rules: RotationRulesType | undefined): number | undefined {
  const expression = rules?.ScheduleExpression?.trim();
  if (expression) {
    const rate = /^rate\(\s*(\d+)\s+(hour|hours|day|days)\s*\)$/i.exec(expression);
    if (!rate) return undefined;
    return Number(rate[1]) * (rate[2]!.toLowerCase().startsWith('hour') ? HOUR_MS : DAY_MS);
  }
  const days = rules?.AutomaticallyAfterDays;
  return typeof days === 'number' && days > 0 ? days * DAY_MS : undefined;
}

export interface RotationTimes {
  readonly rules: RotationRulesType | undefined;
  readonly lastRotated: Date | undefined;
  readonly created: Date | undefined;
  readonly nextRotation: Date | undefined;
}

/**
 * When the secret should have rotated by: last rotation (or creation) plus the interval; for a cron schedule,
 * Secrets Manager's NextRotationDate, else the fallback maximum age. Undefined when nothing is known.
 *
 * @example
 * // given: declare const lastRotated: Date | undefined, created: Date | undefined, policy: SchedulePolicy;
 * dueDate({ rules: { AutomaticallyAfterDays: 30 }, lastRotated, created, nextRotation: undefined }, policy)
 */
export function dueDate(times: RotationTimes, policy: Pick<SchedulePolicy, 'fallbackMaxAgeMs'>): Date | undefined {
  const since = times.lastRotated ?? times.created;
  const interval = rotationIntervalMs(times.rules);
  if (interval !== undefined) return since && new Date(since.getTime() + interval);
  if (times.nextRotation) return times.nextRotation;
  return since && new Date(since.getTime() + policy.fallbackMaxAgeMs);
}

/**
 * The due date when the secret is overdue at `now` (due date plus the grace period passed), else undefined.
 *
 * @example
 * // given: declare const times: RotationTimes;
 * overdueSince(times, new Date(), DEFAULT_ROTATION_THRESHOLDS) // Date when overdue
 */
export function overdueSince(
  times: RotationTimes,
  now: Date,
  thresholds: Pick<RotationThresholds, 'graceMs' | 'fallbackMaxAgeMs'>,
): Date | undefined {
  const due = dueDate(times, thresholds);
  return due !== undefined && now.getTime() > due.getTime() + thresholds.graceMs ? due : undefined;
}

/**
 * True when an AWSPENDING version (not AWSCURRENT) of this age is a stuck rotation, not one in progress. An unknown
 * age (`Infinity`) counts as stuck.
 *
 * @example
 * isStuckPending(3 * HOUR_MS, DEFAULT_ROTATION_THRESHOLDS) // true
 */
export function isStuckPending(pendingAgeMs: number, thresholds: Pick<RotationThresholds, 'stuckAfterMs'>): boolean {
  return pendingAgeMs > thresholds.stuckAfterMs;
}
