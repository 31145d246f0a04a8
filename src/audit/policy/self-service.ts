// AWS's documented self-service MFA examples (IAM User Guide: "Allows MFA-authenticated IAM users to manage their own
// credentials on the Security credentials page", "Allows IAM users to self-manage an MFA device") grant
// iam:CreateVirtualMFADevice on `arn:aws:iam::*:mfa/*`: the console lets the user name the device, so it cannot be
// scoped to `mfa/${aws:username}`. A new virtual device grants nothing until iam:EnableMFADevice attaches it to a
// user, and the examples allow that only on the caller's own user. So that pairing is self-service, not a wide grant.
import { coversAction, grantedResources } from './grants';
import { isSelfScopedUser } from './matching';
import type { Statement } from './normalise';

const MFA_DEVICES = /^arn:[^:]*:iam::[^:]*:mfa\//;

/**
 * True when `action` on `star` is the self-service MFA pattern: iam:CreateVirtualMFADevice on an `mfa/` ARN, in a
 * document whose every grant of iam:EnableMFADevice is on the caller's own user (`user/${aws:username}`) and that has
 * one. A bare `"*"`, or EnableMFADevice on other users (or through NotAction on `*`), is judged as usual.
 */
export function isSelfServiceMfaDevice(st: Statement, action: string, star: string): boolean {
  if (action.toLowerCase() !== 'iam:createvirtualmfadevice' || !MFA_DEVICES.test(star)) return false;
  const enables = st.doc.statements.filter((s) => s.effect === 'Allow' && coversAction(s, 'iam:EnableMFADevice'));
  return enables.length > 0 && enables.every((s) => !s.notResources && grantedResources(s).every(isSelfScopedUser));
}
