// Data reads: actions that return the contents a workload protects, not the settings around them. The catalogue files
// all of them under Read except kms:Decrypt (Write), so the audit needs its own list to rank them above metadata reads
// (iam:GetRole, s3:GetBucketPolicy, ec2:Describe*). One curated list, each group with the reason it is content.

interface DataReadGroup {
  /** What a caller gets back. */
  readonly reveals: string;
  /** Exact catalogue action names (a test checks every one exists). */
  readonly actions: readonly string[];
}

export const DATA_READ_GROUPS: readonly DataReadGroup[] = [
  { reveals: 'secret values', actions: ['secretsmanager:GetSecretValue', 'secretsmanager:BatchGetSecretValue'] },
  {
    // Only the object's bytes: GetObjectAcl, Attributes, Tagging, Retention, LegalHold and Annotation are settings.
    reveals: 'object contents',
    actions: [
      's3:GetObject',
      's3:GetObjectVersion',
      's3:GetObjectTorrent',
      's3:GetObjectVersionTorrent',
      's3:GetObjectVersionForReplication',
      's3-object-lambda:GetObject',
      'glacier:GetJobOutput',
    ],
  },
  {
    // kms:Decrypt changes nothing and returns plaintext, although the catalogue files it under Write.
    // GenerateDataKey* and ReEncrypt* stay write: they return a new key or a new ciphertext, no existing content.
    reveals: 'plaintext and private keys',
    actions: ['kms:Decrypt', 'acm:ExportCertificate', 'ec2:GetPasswordData'],
  },
  {
    reveals: 'parameter values (SecureString ones decrypted)',
    actions: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath', 'ssm:GetParameterHistory'],
  },
  {
    reveals: 'table items and their changes',
    actions: [
      'dynamodb:GetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:Query',
      'dynamodb:Scan',
      'dynamodb:PartiQLSelect',
      'dynamodb:GetRecords',
      'athena:GetQueryResults',
      'timestream:Select',
    ],
  },
  { reveals: 'messages and stream records', actions: ['sqs:ReceiveMessage', 'kinesis:GetRecords'] },
  {
    reveals: 'log events',
    actions: [
      'logs:GetLogEvents',
      'logs:FilterLogEvents',
      'logs:GetLogRecord',
      'logs:StartQuery',
      'logs:GetQueryResults',
      'logs:StartLiveTail',
    ],
  },
  { reveals: 'container image layers', actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] },
  {
    // lambda:GetFunction returns a link to download the deployment package.
    reveals: 'source and function code',
    actions: ['lambda:GetFunction', 'codecommit:GitPull', 'codecommit:GetBlob', 'codecommit:GetFile'],
  },
];

const DATA_READS: ReadonlySet<string> = new Set(DATA_READ_GROUPS.flatMap((g) => g.actions.map((a) => a.toLowerCase())));

/** True when `actionName` (as the catalogue spells it, any case) returns protected contents. */
export function isDataRead(actionName: string): boolean {
  return DATA_READS.has(actionName.toLowerCase());
}
