// secret-rotation-overdue: rotation is on, but the last one is older than the schedule plus the grace period
// (src/rotation/schedule-policy.ts: the definition the scheduled rotation check uses too).
import { DAY_MS, DEFAULT_ROTATION_THRESHOLDS, overdueSince } from '../../rotation/schedule-policy';
import { secretFinding, type Rule } from './rule';

export const secretRotationOverdue: Rule = {
  kind: 'secret-rotation-overdue',
  run(ctx) {
    const now = ctx.options.now;
    const thresholds = { ...DEFAULT_ROTATION_THRESHOLDS, graceMs: ctx.options.rotationGraceDays * DAY_MS };
    return ctx.input.secrets
      .filter((s) => s.rotationEnabled)
      .flatMap((s) => {
        const rules = s.rotationDays === undefined ? undefined : { AutomaticallyAfterDays: s.rotationDays };
        const due = overdueSince({ rules, lastRotated: s.lastRotated, created: s.created, nextRotation: s.nextRotation }, now, thresholds);
        if (due === undefined) return [];
        const days = Math.floor((now.getTime() - due.getTime()) / DAY_MS);
        return [
          secretFinding(
            s,
            'secret-rotation-overdue',
            `secret ${s.name} was due to rotate on ${due.toISOString().slice(0, 10)} (${days} days ago): check the rotation Lambda's logs and rotate it`,
          ),
        ];
      });
  },
};
