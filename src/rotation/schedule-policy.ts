// When a managed secret is due: its rotation schedule (rate, AutomaticallyAfterDays, cron) plus a grace period.
import type { RotationRulesType } from '@aws-sdk/client-secrets-manager';
import { envInteger, envBoolean, type Env } from '../config/env';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

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
 * Reads the scheduled job's policy from the environment; a bad value names the variable.
 *
 * @example
 * const policy = readSchedulePolicy(process.env); // MESHGATE_ROTATION_GRACE_HOURS=24 ...
 */
export function readSchedulePolicy(env: Env): SchedulePolicy {
  return {
    graceMs: envInteger(env, 'MESHGATE_ROTATION_GRACE_HOURS', 24, 0, 24 * 90) * HOUR_MS,
    stuckAfterMs: envInteger(env, 'MESHGATE_ROTATION_STUCK_AFTER_HOURS', 2, 1, 24 * 30) * HOUR_MS,
    fallbackMaxAgeMs: envInteger(env, 'MESHGATE_ROTATION_FALLBACK_MAX_AGE_DAYS', 90, 1, 3650) * DAY_MS,
    startRotation: envBoolean(env, 'MESHGATE_ROTATION_START_OVERDUE', true),
  };
}

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
 * dueDate({ rules: { AutomaticallyAfterDays: 30 }, lastRotated, created, nextRotation: undefined }, policy)
 */
export function dueDate(times: RotationTimes, policy: SchedulePolicy): Date | undefined {
  const since = times.lastRotated ?? times.created;
  const interval = rotationIntervalMs(times.rules);
  if (interval !== undefined) return since && new Date(since.getTime() + interval);
  if (times.nextRotation) return times.nextRotation;
  return since && new Date(since.getTime() + policy.fallbackMaxAgeMs);
}
