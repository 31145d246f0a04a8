// The AWS partition of the live account (aws, aws-cn, aws-us-gov, ...), read from the account's own ARNs.
import { partitionOfRegion } from '../../aws/partitions';
import type { AuditInput } from '../types';

const ARN_PARTITION = /^arn:(aws(?:-[a-z]+)*):/;

/**
 * The partition named by the first ARN among the inputs' resources (IAM principals and policies, secrets), or the
 * one the Region belongs to when there is none.
 *
 * @example
 * // given: declare const iamInput: AuditInput, secretsInput: AuditInput;
 * partitionOf([iamInput, secretsInput], 'us-gov-west-1'); // 'aws-us-gov'
 */
export function partitionOf(inputs: readonly AuditInput[], region: string): string {
  for (const input of inputs) {
    for (const resource of [...input.documents.map((d) => d.resource), ...input.secrets.map((s) => s.resource)]) {
      const match = ARN_PARTITION.exec(resource);
      if (match) return match[1]!;
    }
  }
  return partitionOfRegion(region).name;
}
