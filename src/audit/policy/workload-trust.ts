// Workload identity trusts: the role trust statements that turn an EKS service account (IRSA), an EKS Pod Identity
// association, an ECS task or a Cognito identity-pool user into the role, and how narrowly each pins the workload.
import { severityRank, type Severity } from '../types';
import { coversAction } from './grants';
import { narrowsCaller, POSITIVE_BASES, requiresKey, STRING_POSITIVE_BASES, WILDCARD_BASES, type ConditionClause } from './conditions';
import type { Statement } from './normalise';

export type WorkloadTrustType = 'eks-irsa' | 'eks-pod-identity' | 'ecs-task' | 'cognito-identity-pool';

/** How one trust statement pins the workloads that may become the role. */
export interface WorkloadTrust {
  readonly type: WorkloadTrustType;
  /** The identity provider or service principal the statement trusts. */
  readonly provider: string;
  /** The workloads the statement pins by name (`namespace/service-account`, a cluster ARN, a pool id). */
  readonly workloads: readonly string[];
  /** What is not pinned, worst first; empty when the statement pins one workload as tightly as the type allows. */
  readonly gaps: readonly TrustGap[];
}

export interface TrustGap {
  readonly severity: Severity;
  /** What the trust lets in, as a phrase: `any service account in the cluster`. */
  readonly who: string;
}

const EKS_OIDC =
  /^(?:arn:[^:]+:iam::(?:\$\{[^}]*\}|[^:]*):oidc-provider\/)?(oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\/id\/[a-z0-9]+)$/i;
const COGNITO_IDENTITY = /^cognito-identity\.amazonaws\.com(?:\.cn)?$/i;
const POD_IDENTITY = /^pods\.eks\.amazonaws\.com$/i;
const ECS_TASKS = /^ecs-tasks\.amazonaws\.com$/i;
const SERVICE_ACCOUNT = /^system:serviceaccount:([^:]*):([^:]*)$/;
const WILDCARD = /[*?]/;
const NO_WILDCARD = /^[^*?]+$/;
const IDENTITY_POOL_ID = /^[a-z]{2}(?:-[a-z]+)+-\d:[0-9a-f-]{36}$/i;
const EKS_CLUSTER_ARN = /^arn:[^:*?]+:eks:[^:*?]+:\d{12}:cluster\/[^*?/]+$/;

/** Positive clauses on `key` that a request without the key fails (not IfExists, not ForAllValues). */
function requiredClauses(statement: Statement, key: string): ConditionClause[] {
  const lower = key.toLowerCase();
  return statement.conditions.filter((c) => c.key === lower && requiresKey(c, POSITIVE_BASES) && c.values.length > 0);
}

/** True when no value of the clause can stand for more than itself. */
function exact(clause: ConditionClause): boolean {
  return !WILDCARD_BASES.has(clause.base) || clause.values.every((v) => !WILDCARD.test(v));
}

/** True when one of the clauses on `key` admits only the listed values, each matching `shape`. */
function pinnedTo(statement: Statement, key: string, shape: RegExp): ConditionClause | undefined {
  return requiredClauses(statement, key).find((c) => exact(c) && c.values.every((v) => shape.test(v)));
}

// IRSA: every pod's projected token comes from the cluster's one issuer; `sub` names the namespace and service account.
function irsaTrust(statement: Statement, host: string): WorkloadTrust {
  const gaps: TrustGap[] = [];
  // Conditions on one key must all hold, so the narrowest clause decides; within a clause the widest value does.
  const clauses = requiredClauses(statement, `${host}:sub`).map((c) => ({
    clause: c,
    reach: Math.max(...c.values.map((v) => subjectReach(v, c))),
  }));
  const best = clauses.sort((a, b) => a.reach - b.reach)[0];
  if (best === undefined || best.reach === 2) gaps.push({ severity: 'high', who: 'any service account in any namespace of the cluster' });
  else if (best.reach === 1) gaps.push({ severity: 'medium', who: 'any service account in the namespace' });
  if (!pinnedTo(statement, `${host}:aud`, /^sts\.amazonaws\.com$/)) gaps.push({ severity: 'low', who: 'a token issued for any audience' });
  const workloads = best?.reach === 0 ? best.clause.values.map((v) => v.replace(SERVICE_ACCOUNT, '$1/$2')) : [];
  return { type: 'eks-irsa', provider: host, workloads, gaps: worstFirst(gaps) };
}

/** 0: one service account; 1: a whole namespace; 2: more than a namespace. */
function subjectReach(value: string, clause: ConditionClause): number {
  const m = SERVICE_ACCOUNT.exec(value);
  // A literal that names no service account admits no pod at all: as pinned as it gets.
  if (!m) return WILDCARD_BASES.has(clause.base) && WILDCARD.test(value) ? 2 : 0;
  const wild = WILDCARD_BASES.has(clause.base);
  if (wild && (WILDCARD.test(m[1]!) || m[1] === '')) return 2;
  return wild && WILDCARD.test(m[2]!) ? 1 : 0;
}

// Pod Identity: one service principal for every association in every cluster; only conditions on the source cluster
// or the session tags EKS sets name the workload.
function podIdentityTrust(statement: Statement, provider: string): WorkloadTrust {
  const cluster =
    pinnedTo(statement, 'aws:SourceArn', EKS_CLUSTER_ARN) ??
    pinnedTo(statement, 'aws:RequestTag/eks-cluster-arn', EKS_CLUSTER_ARN) ??
    pinnedTo(statement, 'aws:RequestTag/eks-cluster-name', NO_WILDCARD);
  const namespace = pinnedTo(statement, 'aws:RequestTag/kubernetes-namespace', NO_WILDCARD);
  const serviceAccount = pinnedTo(statement, 'aws:RequestTag/kubernetes-service-account', NO_WILDCARD);
  const account = statement.conditions.some((c) => narrowsCaller(c) && (c.key === 'aws:sourceaccount' || c.key === 'aws:sourcearn'));
  if (namespace && serviceAccount) {
    const workloads = namespace.values.flatMap((n) => serviceAccount.values.map((a) => `${n}/${a}`));
    return { type: 'eks-pod-identity', provider, workloads, gaps: [] };
  }
  if (cluster) return { type: 'eks-pod-identity', provider, workloads: [...cluster.values], gaps: [] };
  const gap: TrustGap =
    account || namespace
      ? {
          severity: 'medium',
          who: namespace
            ? 'any pod-identity association of the namespace, in any cluster'
            : 'any pod-identity association in any cluster of the account',
        }
      : { severity: 'high', who: 'any pod-identity association in any cluster' };
  return { type: 'eks-pod-identity', provider, workloads: [], gaps: [gap] };
}

// ECS: the task role is handed to whatever task names it; without a source condition the service acts as a confused
// deputy for tasks of other accounts (AWS's cross-service confused-deputy guidance).
function ecsTaskTrust(statement: Statement, provider: string): WorkloadTrust {
  const source = statement.conditions.find((c) => narrowsCaller(c) && (c.key === 'aws:sourceaccount' || c.key === 'aws:sourcearn'));
  return {
    type: 'ecs-task',
    provider,
    workloads: source ? [...source.values] : [],
    gaps: source ? [] : [{ severity: 'medium', who: 'ECS tasks of any account (confused deputy)' }],
  };
}

// Cognito identity pools: one service issues tokens for every pool; `aud` names the pool, `amr` the kind of user.
function identityPoolTrust(statement: Statement, provider: string): WorkloadTrust {
  const pool = pinnedTo(statement, `${provider}:aud`, IDENTITY_POOL_ID);
  const amr = statement.conditions.some(
    (c) =>
      c.key === `${provider.toLowerCase()}:amr` && STRING_POSITIVE_BASES.has(c.base) && !c.ifExists && !c.negated && c.values.length > 0,
  );
  const gaps: TrustGap[] = [];
  if (!pool) gaps.push({ severity: 'high', who: 'identities of any identity pool, in any account' });
  if (!amr) gaps.push({ severity: 'medium', who: 'authenticated and unauthenticated identities alike' });
  return { type: 'cognito-identity-pool', provider, workloads: pool ? [...pool.values] : [], gaps };
}

function worstFirst(gaps: TrustGap[]): TrustGap[] {
  return gaps.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
}

/** The workload trusts one Allow statement of a trust policy grants: one per workload provider it names. */
export function workloadTrusts(statement: Statement): WorkloadTrust[] {
  if (statement.effect !== 'Allow' || !statement.principal) return [];
  const federated = statement.principal.byType.Federated ?? [];
  const services = statement.principal.byType.Service ?? [];
  const web = coversAction(statement, 'sts:AssumeRoleWithWebIdentity');
  const assume = coversAction(statement, 'sts:AssumeRole');
  const out: WorkloadTrust[] = [];
  for (const p of federated) {
    const eks = EKS_OIDC.exec(p);
    if (eks && web) out.push(irsaTrust(statement, eks[1]!));
    else if (COGNITO_IDENTITY.test(p) && web) out.push(identityPoolTrust(statement, p.toLowerCase()));
  }
  for (const s of services) {
    if (POD_IDENTITY.test(s) && assume) out.push(podIdentityTrust(statement, s));
    else if (ECS_TASKS.test(s) && assume) out.push(ecsTaskTrust(statement, s));
  }
  return out;
}
