// Published IAM privilege-escalation methods. Ids are pathfinding.cloud's (DataDog/pathfinding.cloud data/paths/*),
// which extends Rhino Security Labs' original list; methods that only add sts:AssumeRole or a second step to a
// method already listed (iam-014..iam-021, sts-001) are left out because the shorter method already reports them.

export interface EscalationMethod {
  /** pathfinding.cloud id, e.g. `iam-001`. */
  readonly id: string;
  /** Every permission the method needs, all of them. */
  readonly permissions: readonly string[];
  /** Credential actions: not a finding when scoped to the caller itself (`user/${aws:username}`). */
  readonly credential?: true;
}

const PASS = 'iam:PassRole';

export const ESCALATION_METHODS: readonly EscalationMethod[] = [
  { id: 'iam-001', permissions: ['iam:CreatePolicyVersion'] },
  { id: 'iam-002', permissions: ['iam:CreateAccessKey'], credential: true },
  { id: 'iam-004', permissions: ['iam:CreateLoginProfile'], credential: true },
  { id: 'iam-005', permissions: ['iam:PutRolePolicy'] },
  { id: 'iam-006', permissions: ['iam:UpdateLoginProfile'], credential: true },
  { id: 'iam-007', permissions: ['iam:PutUserPolicy'] },
  { id: 'iam-008', permissions: ['iam:AttachUserPolicy'] },
  { id: 'iam-009', permissions: ['iam:AttachRolePolicy'] },
  { id: 'iam-010', permissions: ['iam:AttachGroupPolicy'] },
  { id: 'iam-011', permissions: ['iam:PutGroupPolicy'] },
  { id: 'iam-012', permissions: ['iam:UpdateAssumeRolePolicy'] },
  { id: 'iam-013', permissions: ['iam:AddUserToGroup'] },
  // Rhino Security Labs method 2; pathfinding.cloud folds it into iam-001's variations.
  { id: 'rhino-02', permissions: ['iam:SetDefaultPolicyVersion'] },
  { id: 'lambda-001', permissions: [PASS, 'lambda:CreateFunction', 'lambda:InvokeFunction'] },
  { id: 'lambda-002', permissions: [PASS, 'lambda:CreateFunction', 'lambda:CreateEventSourceMapping'] },
  { id: 'lambda-003', permissions: ['lambda:UpdateFunctionCode'] },
  { id: 'lambda-006', permissions: [PASS, 'lambda:CreateFunction', 'lambda:AddPermission'] },
  { id: 'ec2-001', permissions: [PASS, 'ec2:RunInstances'] },
  { id: 'ec2-002', permissions: ['ec2:ModifyInstanceAttribute', 'ec2:StopInstances', 'ec2:StartInstances'] },
  { id: 'ec2-003', permissions: [PASS, 'ec2:RequestSpotInstances'] },
  { id: 'ec2-004', permissions: ['ec2:CreateLaunchTemplateVersion', 'ec2:ModifyLaunchTemplate'] },
  { id: 'ec2instanceconnect-003', permissions: ['ec2-instance-connect:SendSSHPublicKey'] },
  { id: 'cloudformation-001', permissions: [PASS, 'cloudformation:CreateStack'] },
  { id: 'cloudformation-002', permissions: ['cloudformation:UpdateStack'] },
  { id: 'cloudformation-003', permissions: [PASS, 'cloudformation:CreateStackSet', 'cloudformation:CreateStackInstances'] },
  { id: 'cloudformation-004', permissions: [PASS, 'cloudformation:UpdateStackSet'] },
  { id: 'cloudformation-005', permissions: ['cloudformation:CreateChangeSet', 'cloudformation:ExecuteChangeSet'] },
  { id: 'glue-001', permissions: [PASS, 'glue:CreateDevEndpoint'] },
  { id: 'glue-002', permissions: ['glue:UpdateDevEndpoint'] },
  { id: 'glue-003', permissions: [PASS, 'glue:CreateJob', 'glue:StartJobRun'] },
  { id: 'glue-004', permissions: [PASS, 'glue:CreateJob', 'glue:CreateTrigger'] },
  { id: 'glue-005', permissions: [PASS, 'glue:UpdateJob', 'glue:StartJobRun'] },
  { id: 'glue-006', permissions: [PASS, 'glue:UpdateJob', 'glue:CreateTrigger'] },
  { id: 'codebuild-001', permissions: [PASS, 'codebuild:CreateProject', 'codebuild:StartBuild'] },
  { id: 'codebuild-002', permissions: ['codebuild:StartBuild'] },
  { id: 'codebuild-003', permissions: ['codebuild:StartBuildBatch'] },
  { id: 'codebuild-004', permissions: [PASS, 'codebuild:CreateProject', 'codebuild:StartBuildBatch'] },
  { id: 'datapipeline-001', permissions: [PASS, 'datapipeline:CreatePipeline', 'datapipeline:PutPipelineDefinition'] },
  { id: 'ecs-003', permissions: [PASS, 'ecs:RegisterTaskDefinition', 'ecs:CreateService'] },
  { id: 'ecs-004', permissions: [PASS, 'ecs:RegisterTaskDefinition', 'ecs:RunTask'] },
  { id: 'ecs-005', permissions: [PASS, 'ecs:RegisterTaskDefinition', 'ecs:StartTask'] },
  { id: 'sagemaker-001', permissions: [PASS, 'sagemaker:CreateNotebookInstance'] },
  { id: 'sagemaker-002', permissions: [PASS, 'sagemaker:CreateTrainingJob'] },
  { id: 'sagemaker-003', permissions: [PASS, 'sagemaker:CreateProcessingJob'] },
  { id: 'sagemaker-004', permissions: ['sagemaker:CreatePresignedNotebookInstanceUrl'] },
  { id: 'apprunner-001', permissions: [PASS, 'apprunner:CreateService'] },
  { id: 'apprunner-002', permissions: ['apprunner:UpdateService'] },
  { id: 'bedrock-001', permissions: [PASS, 'bedrock-agentcore:CreateCodeInterpreter', 'bedrock-agentcore:StartCodeInterpreterSession'] },
  { id: 'bedrock-002', permissions: ['bedrock-agentcore:StartCodeInterpreterSession', 'bedrock-agentcore:InvokeCodeInterpreter'] },
  { id: 'ssm-001', permissions: ['ssm:StartSession'] },
  { id: 'ssm-002', permissions: ['ssm:SendCommand'] },
];
