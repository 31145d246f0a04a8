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
  /**
   * For methods that pass a role: the services it is passed to (`iam:PassedToService` values), China partition
   * included. A PassRole statement whose condition allows none of them does not enable the method.
   */
  readonly passTo?: readonly string[];
}

const PASS = 'iam:PassRole';

/** `lambda` -> both partitions' service principals for `iam:PassedToService`. */
function services(...names: string[]): readonly string[] {
  return names.flatMap((n) => [`${n}.amazonaws.com`, `${n}.amazonaws.com.cn`]);
}

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
  { id: 'lambda-001', permissions: [PASS, 'lambda:CreateFunction', 'lambda:InvokeFunction'], passTo: services('lambda') },
  { id: 'lambda-002', permissions: [PASS, 'lambda:CreateFunction', 'lambda:CreateEventSourceMapping'], passTo: services('lambda') },
  { id: 'lambda-003', permissions: ['lambda:UpdateFunctionCode'] },
  { id: 'lambda-006', permissions: [PASS, 'lambda:CreateFunction', 'lambda:AddPermission'], passTo: services('lambda') },
  { id: 'ec2-001', permissions: [PASS, 'ec2:RunInstances'], passTo: services('ec2') },
  { id: 'ec2-002', permissions: ['ec2:ModifyInstanceAttribute', 'ec2:StopInstances', 'ec2:StartInstances'] },
  { id: 'ec2-003', permissions: [PASS, 'ec2:RequestSpotInstances'], passTo: services('ec2') },
  { id: 'ec2-004', permissions: ['ec2:CreateLaunchTemplateVersion', 'ec2:ModifyLaunchTemplate'] },
  { id: 'ec2instanceconnect-003', permissions: ['ec2-instance-connect:SendSSHPublicKey'] },
  { id: 'cloudformation-001', permissions: [PASS, 'cloudformation:CreateStack'], passTo: services('cloudformation') },
  { id: 'cloudformation-002', permissions: ['cloudformation:UpdateStack'] },
  {
    id: 'cloudformation-003',
    permissions: [PASS, 'cloudformation:CreateStackSet', 'cloudformation:CreateStackInstances'],
    passTo: services('cloudformation'),
  },
  { id: 'cloudformation-004', permissions: [PASS, 'cloudformation:UpdateStackSet'], passTo: services('cloudformation') },
  { id: 'cloudformation-005', permissions: ['cloudformation:CreateChangeSet', 'cloudformation:ExecuteChangeSet'] },
  { id: 'glue-001', permissions: [PASS, 'glue:CreateDevEndpoint'], passTo: services('glue') },
  { id: 'glue-002', permissions: ['glue:UpdateDevEndpoint'] },
  { id: 'glue-003', permissions: [PASS, 'glue:CreateJob', 'glue:StartJobRun'], passTo: services('glue') },
  { id: 'glue-004', permissions: [PASS, 'glue:CreateJob', 'glue:CreateTrigger'], passTo: services('glue') },
  { id: 'glue-005', permissions: [PASS, 'glue:UpdateJob', 'glue:StartJobRun'], passTo: services('glue') },
  { id: 'glue-006', permissions: [PASS, 'glue:UpdateJob', 'glue:CreateTrigger'], passTo: services('glue') },
  { id: 'codebuild-001', permissions: [PASS, 'codebuild:CreateProject', 'codebuild:StartBuild'], passTo: services('codebuild') },
  { id: 'codebuild-002', permissions: ['codebuild:StartBuild'] },
  { id: 'codebuild-003', permissions: ['codebuild:StartBuildBatch'] },
  { id: 'codebuild-004', permissions: [PASS, 'codebuild:CreateProject', 'codebuild:StartBuildBatch'], passTo: services('codebuild') },
  {
    id: 'datapipeline-001',
    permissions: [PASS, 'datapipeline:CreatePipeline', 'datapipeline:PutPipelineDefinition'],
    passTo: services('datapipeline'),
  },
  { id: 'ecs-003', permissions: [PASS, 'ecs:RegisterTaskDefinition', 'ecs:CreateService'], passTo: services('ecs-tasks', 'ecs') },
  { id: 'ecs-004', permissions: [PASS, 'ecs:RegisterTaskDefinition', 'ecs:RunTask'], passTo: services('ecs-tasks', 'ecs') },
  { id: 'ecs-005', permissions: [PASS, 'ecs:RegisterTaskDefinition', 'ecs:StartTask'], passTo: services('ecs-tasks', 'ecs') },
  { id: 'ecs-006', permissions: ['ecs:ExecuteCommand', 'ecs:DescribeTasks'] },
  { id: 'sagemaker-001', permissions: [PASS, 'sagemaker:CreateNotebookInstance'], passTo: services('sagemaker') },
  { id: 'sagemaker-002', permissions: [PASS, 'sagemaker:CreateTrainingJob'], passTo: services('sagemaker') },
  { id: 'sagemaker-003', permissions: [PASS, 'sagemaker:CreateProcessingJob'], passTo: services('sagemaker') },
  { id: 'sagemaker-004', permissions: ['sagemaker:CreatePresignedNotebookInstanceUrl'] },
  {
    id: 'sagemaker-005',
    permissions: [
      'sagemaker:CreateNotebookInstanceLifecycleConfig',
      'sagemaker:StopNotebookInstance',
      'sagemaker:UpdateNotebookInstance',
      'sagemaker:StartNotebookInstance',
    ],
  },
  {
    id: 'apprunner-001',
    permissions: [PASS, 'apprunner:CreateService'],
    passTo: services('apprunner', 'build.apprunner', 'tasks.apprunner'),
  },
  { id: 'apprunner-002', permissions: ['apprunner:UpdateService'] },
  {
    id: 'bedrock-001',
    permissions: [PASS, 'bedrock-agentcore:CreateCodeInterpreter', 'bedrock-agentcore:StartCodeInterpreterSession'],
    passTo: services('bedrock-agentcore'),
  },
  { id: 'bedrock-002', permissions: ['bedrock-agentcore:StartCodeInterpreterSession', 'bedrock-agentcore:InvokeCodeInterpreter'] },
  { id: 'ssm-001', permissions: ['ssm:StartSession'] },
  { id: 'ssm-002', permissions: ['ssm:SendCommand'] },
];
