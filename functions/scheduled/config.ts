// The scheduled job's configuration, read once: every variable it reads is here.
import { envBoolean, envInteger, type Env } from '../../src/config/env';
import { DAY_MS, DEFAULT_ROTATION_THRESHOLDS, HOUR_MS, type SchedulePolicy } from '../../src/rotation/schedule-policy';

export interface ScheduledConfig {
  /** When a managed secret is overdue or stuck, and whether to start its rotation. */
  readonly policy: SchedulePolicy;
}

/**
 * Reads the scheduled job's policy from the environment; a bad value names the variable.
 *
 * @example
 * const { policy } = loadScheduledConfig(process.env); // MESHGATE_ROTATION_GRACE_HOURS=24 ...
 */
export function loadScheduledConfig(env: Env): ScheduledConfig {
  return Object.freeze({
    policy: Object.freeze({
      graceMs: envInteger(env, 'MESHGATE_ROTATION_GRACE_HOURS', DEFAULT_ROTATION_THRESHOLDS.graceMs / HOUR_MS, 0, 24 * 90) * HOUR_MS,
      stuckAfterMs:
        envInteger(env, 'MESHGATE_ROTATION_STUCK_AFTER_HOURS', DEFAULT_ROTATION_THRESHOLDS.stuckAfterMs / HOUR_MS, 1, 24 * 30) * HOUR_MS,
      fallbackMaxAgeMs:
        envInteger(env, 'MESHGATE_ROTATION_FALLBACK_MAX_AGE_DAYS', DEFAULT_ROTATION_THRESHOLDS.fallbackMaxAgeMs / DAY_MS, 1, 3650) * DAY_MS,
      startRotation: envBoolean(env, 'MESHGATE_ROTATION_START_OVERDUE', true),
    }),
  });
}
