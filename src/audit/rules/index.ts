// Every rule the engine runs, in report order.
import { malformed } from './malformed';
import { malformedPrincipals } from './malformed-principals';
import { malformedValues } from './malformed-values';
import { notactionAllow } from './notaction-allow';
import { notresourceAllow } from './notresource-allow';
import { passroleStar } from './passrole-star';
import { privilegeEscalation } from './privilege-escalation';
import { publicPrincipal } from './public-principal';
import { routeWithoutAuthorizer } from './route-without-authorizer';
import type { Rule } from './rule';
import { serviceRoles } from './service-roles';
import { secretRotationDisabled } from './secret-rotation-disabled';
import { secretRotationOverdue } from './secret-rotation-overdue';
import { secretRotationStuck } from './secret-rotation-stuck';
import { unknownAction } from './unknown-action';
import { wildcardAction } from './wildcard-action';
import { wildcardResourceSensitive } from './wildcard-resource-sensitive';
import { workloadTrust } from './workload-trust';

export const RULES: readonly Rule[] = [
  malformed,
  malformedValues,
  malformedPrincipals,
  wildcardAction,
  wildcardResourceSensitive,
  privilegeEscalation,
  passroleStar,
  notactionAllow,
  notresourceAllow,
  publicPrincipal,
  workloadTrust,
  serviceRoles,
  unknownAction,
  routeWithoutAuthorizer,
  secretRotationDisabled,
  secretRotationOverdue,
  secretRotationStuck,
];
