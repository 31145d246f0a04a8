// secret-rotation-overdue: rotation is on, but the last one is older than the schedule plus the grace period.
import type { SecretInput } from '../types';
import { secretFinding, type Rule } from './rule';

const DAY_MS = 86_400_000;

/** When the secret should have rotated last: NextRotationDate, else last rotation (or creation) plus the interval. */
function dueDate(secret: SecretInput): Date | undefined {
  if (secret.nextRotation) return secret.nextRotation;
  const since = secret.lastRotated ?? secret.created;
  if (since === undefined || secret.rotationDays === undefined) return undefined;
  return new Date(since.getTime() + secret.rotationDays * DAY_MS);
}

export const secretRotationOverdue: Rule = {
  kind: 'secret-rotation-overdue',
  run(ctx) {
    const now = ctx.options.now.getTime();
    const limit = now - ctx.options.rotationGraceDays * DAY_MS;
    return ctx.input.secrets
      .filter((s) => s.rotationEnabled)
      .flatMap((s) => {
        const due = dueDate(s);
        if (due === undefined || due.getTime() >= limit) return [];
        const days = Math.floor((now - due.getTime()) / DAY_MS);
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
