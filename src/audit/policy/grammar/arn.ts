// ARN syntax of Resource and NotResource values: `*`, or arn:partition:service:region:account:resource.
import { PARTITION_NAMES } from '../../../aws/partitions';

export interface ArnFields {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  /** Everything after the fifth colon: it may hold colons itself (`function:name:alias`). */
  readonly resource: string;
}

/** A resource ARN's account: 12 digits, or `aws` for AWS-owned resources (managed policies, public documents). */
const ACCOUNT_FIELD = /^(\d{12}|aws)$/;

/** True for a field IAM cannot judge as written: a wildcard, a policy variable or a template placeholder. */
export function isOpenField(field: string): boolean {
  return field.includes('*') || field.includes('?') || field.includes('${');
}

/** Splits on the colons outside `${...}`, so `${aws:username}` and `${AWS::Partition}` stay whole. */
function splitOutsideVariables(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '$' && text[i + 1] === '{') depth++;
    else if (char === '}' && depth > 0) depth--;
    if (char === ':' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

/** The six fields of an ARN, or the number of fields found when it has fewer (or does not start with `arn`). */
export function parseArn(value: string): ArnFields | { readonly fieldCount: number } {
  const parts = splitOutsideVariables(value);
  if (parts.length < 6 || parts[0] !== 'arn') return { fieldCount: parts.length };
  const [, partition, service, region, account, ...rest] = parts as [string, string, string, string, string, ...string[]];
  return { partition, service, region, account, resource: rest.join(':') };
}

export interface ResourceSyntaxOptions {
  /** `Resource` or `NotResource`. */
  readonly element: string;
  /** API Gateway resource policies may name methods as `execute-api:/stage/GET/path`. */
  readonly allowExecuteApiShorthand: boolean;
}

/**
 * Problems IAM reports for one Resource value: not `*` and not an ARN, fewer than six fields,
 * an unknown partition, an empty or mis-cased service. Values that are a whole placeholder
 * (`${Bucket.Arn}`, from a template) are not judged.
 */
export function resourceSyntaxProblems(value: string, options: ResourceSyntaxOptions): string[] {
  const { element } = options;
  if (value === '*' || value.startsWith('${')) return [];
  if (options.allowExecuteApiShorthand && value.startsWith('execute-api:/')) return [];
  const arn = parseArn(value);
  if ('fieldCount' in arn) {
    if (!value.startsWith('arn:'))
      return [`${element} "${value}" is neither "*" nor an ARN (arn:partition:service:region:account:resource)`];
    return [
      `${element} "${value}" has ${arn.fieldCount} of the 6 ARN fields: use arn:partition:service:region:account:resource (Region and account may be empty, the colons may not)`,
    ];
  }
  const problems: string[] = [];
  if (!isOpenField(arn.partition) && !PARTITION_NAMES.has(arn.partition))
    problems.push(`${element} "${value}" has partition "${arn.partition}", which is not an AWS partition (aws, aws-cn, aws-us-gov, ...)`);
  if (arn.account !== '' && !isOpenField(arn.account) && !ACCOUNT_FIELD.test(arn.account))
    problems.push(`${element} "${value}" has account "${arn.account}": an account id is 12 digits (or "aws" for AWS-owned resources)`);
  if (arn.service === '') problems.push(`${element} "${value}" has no service in its third field`);
  else if (!isOpenField(arn.service) && arn.service !== arn.service.toLowerCase())
    problems.push(`${element} "${value}" has service "${arn.service}": ARN service names are lower-case`);
  return problems;
}
