// workload-trust-unpinned and workload-role-shared: role trusts that let more than one workload become the role.
import type { RuleFinding } from '../left-out';
import type { NormalisedDocument } from '../policy/normalise';
import { workloadTrusts, type WorkloadTrust, type WorkloadTrustType } from '../policy/workload-trust';
import { sample, statementFinding, type Rule } from './rule';

const FIX: Record<WorkloadTrustType, (provider: string) => string> = {
  'eks-irsa': (p) =>
    `add StringEquals "${p}:sub": "system:serviceaccount:<namespace>:<service-account>" and "${p}:aud": "sts.amazonaws.com"`,
  'eks-pod-identity': () =>
    'add ArnEquals "aws:SourceArn": "arn:aws:eks:<region>:<account>:cluster/<cluster>" with StringEquals "aws:SourceAccount": "<account>", or StringEquals on "aws:RequestTag/kubernetes-namespace" and "aws:RequestTag/kubernetes-service-account"',
  'ecs-task': () => 'add StringEquals "aws:SourceAccount": "<account>" and ArnLike "aws:SourceArn": "arn:aws:ecs:<region>:<account>:*"',
  'cognito-identity-pool': (p) =>
    `add StringEquals "${p}:aud": "<region>:<identity-pool-id>" and ForAnyValue:StringLike "${p}:amr": "authenticated"`,
};

const NAME: Record<WorkloadTrustType, string> = {
  'eks-irsa': 'EKS IRSA',
  'eks-pod-identity': 'EKS Pod Identity',
  'ecs-task': 'ECS task',
  'cognito-identity-pool': 'Cognito identity pool',
};

function unpinned(trust: WorkloadTrust, statement: Parameters<typeof statementFinding>[1]): RuleFinding {
  const who = trust.gaps.map((g) => g.who).join('; ');
  return statementFinding('workload-trust-unpinned', statement, {
    severity: trust.gaps[0]!.severity,
    principal: trust.provider,
    message: `${NAME[trust.type]} trust of ${trust.provider} lets in ${who}, and each becomes this role: ${FIX[trust.type](trust.provider)}`,
  });
}

/** Workloads the document's trusts pin by name (ECS source conditions name accounts, not workloads). */
function namedWorkloads(doc: NormalisedDocument): string[] {
  const names = doc.statements.flatMap((s) =>
    workloadTrusts(s)
      .filter((t) => t.type !== 'ecs-task')
      .flatMap((t) => t.workloads),
  );
  return [...new Set(names)];
}

export const workloadTrust: Rule = {
  kind: 'workload-trust-unpinned',
  run(ctx) {
    const trustDocs = ctx.documents.filter((d) => d.input.policyKind === 'trust');
    const findings = trustDocs.flatMap((d) =>
      d.statements.flatMap((st) =>
        workloadTrusts(st)
          .filter((t) => t.gaps.length > 0)
          .map((t) => unpinned(t, st)),
      ),
    );
    for (const doc of trustDocs) {
      const workloads = namedWorkloads(doc);
      const first = doc.statements.find((s) => workloadTrusts(s).length > 0);
      if (workloads.length > 1 && first)
        findings.push(
          statementFinding('workload-role-shared', first, {
            message: `${workloads.length} workloads assume this role (${sample(workloads)}), so nothing can tell them apart: give each its own role`,
          }),
        );
    }
    return findings;
  },
};
