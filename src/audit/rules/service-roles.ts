// The roles the route configuration names as services' identities: each must exist where the input shows the whole
// account (service-role-missing), be trusted by one pinned workload (workload-trust-unpinned), and belong to one
// service only (workload-role-shared).
import type { RuleFinding } from '../left-out';
import type { NormalisedDocument } from '../policy/normalise';
import { workloadTrusts } from '../policy/workload-trust';
import { KIND_INFO } from '../kinds';
import type { FindingKind, ServiceRoleInput, Severity } from '../types';
import type { Rule } from './rule';

const ROLE_ARN = /^arn:[^:]+:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;

interface RoleRef {
  readonly account: string;
  readonly name: string;
}

/** Account and role name: how IAM identifies a role whatever its path (an assumed-role ARN drops the path too). */
function roleRef(arn: string): RoleRef | undefined {
  const m = ROLE_ARN.exec(arn);
  return m ? { account: m[1]!, name: m[2]! } : undefined;
}

const key = (ref: RoleRef): string => `${ref.account}:${ref.name}`;

/** A template RoleName may hold `${...}` placeholders (stage, Region): each stands for any text. */
function nameMatches(pattern: string, name: string): boolean {
  const parts = pattern.split(/\$\{[^}]*\}/).map((p) => p.replace(/[.*+?^$()[\]{}|\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`).test(name);
}

function roleFinding(kind: FindingKind, role: ServiceRoleInput, message: string, severity?: Severity): RuleFinding {
  return {
    kind,
    severity: severity ?? KIND_INFO[kind].severity,
    resource: role.roleArn,
    principal: role.service,
    message,
    ...(role.location ? { location: role.location } : {}),
  };
}

/** The trust documents that belong to `ref`: by ARN (account details, live) or by a template's RoleName. */
function trustsOf(ref: RoleRef, trusts: readonly NormalisedDocument[]): NormalisedDocument[] {
  return trusts.filter((d) => {
    const byArn = roleRef(d.input.resource);
    if (byArn) return key(byArn) === key(ref);
    return d.input.roleName !== undefined && nameMatches(d.input.roleName, ref.name);
  });
}

function sharedRoles(roles: readonly ServiceRoleInput[]): RuleFinding[] {
  const byRole = new Map<string, ServiceRoleInput[]>();
  for (const role of roles) {
    const ref = roleRef(role.roleArn);
    const k = ref ? key(ref) : role.roleArn;
    byRole.set(k, [...(byRole.get(k) ?? []), role]);
  }
  return [...byRole.values()].flatMap((same) => {
    const services = [...new Set(same.map((r) => r.service))];
    if (services.length < 2) return [];
    return [
      roleFinding(
        'workload-role-shared',
        same[0]!,
        `services ${services.join(', ')} name the same role as their identity, so no edge, log line or policy can tell them apart: give each service its own role`,
        'high',
      ),
    ];
  });
}

export const serviceRoles: Rule = {
  kind: 'service-role-missing',
  run(ctx) {
    const roles = ctx.input.serviceRoles;
    if (roles.length === 0) return [];
    const trusts = ctx.documents.filter((d) => d.input.policyKind === 'trust');
    // Accounts whose every role the input lists (account details, live): only there can a role be missing.
    const listed = new Set(trusts.flatMap((d) => roleRef(d.input.resource)?.account ?? []));
    const findings = sharedRoles(roles);
    for (const role of roles) {
      const ref = roleRef(role.roleArn);
      if (!ref) continue; // the route table's loader refuses what is not a role ARN
      const own = trustsOf(ref, trusts);
      if (own.length === 0) {
        if (listed.has(ref.account))
          findings.push(
            roleFinding(
              'service-role-missing',
              role,
              `service ${role.service} names role ${ref.name}, which account ${ref.account} does not have`,
            ),
          );
        continue;
      }
      // Trusts with workload providers are judged by workload-trust-unpinned; a trust with none pins no workload.
      if (!own.some((d) => d.statements.some((s) => workloadTrusts(s).length > 0)))
        findings.push(
          roleFinding(
            'workload-trust-unpinned',
            role,
            `role ${ref.name} is service ${role.service}'s identity, but its trust names no workload (EKS service account, Pod Identity, ECS task, identity pool): any principal the trust admits acts as the service`,
            'high',
          ),
        );
    }
    return findings;
  },
};
