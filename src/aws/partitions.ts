// AWS partitions by Region name: the partition's name and DNS suffixes (the SDK's partitions table, @aws-sdk/util-endpoints).

export interface Partition {
  /** `aws`, `aws-cn`, `aws-us-gov`, ...: the first field of its ARNs. */
  readonly name: string;
  readonly dnsSuffix: string;
  readonly dualStackDnsSuffix: string;
}

const PARTITIONS: readonly (Partition & { readonly regions: RegExp })[] = [
  { name: 'aws-cn', regions: /^cn-\w+-\d+$/, dnsSuffix: 'amazonaws.com.cn', dualStackDnsSuffix: 'api.amazonwebservices.com.cn' },
  { name: 'aws-us-gov', regions: /^us-gov-\w+-\d+$/, dnsSuffix: 'amazonaws.com', dualStackDnsSuffix: 'api.aws' },
  { name: 'aws-eusc', regions: /^eusc-de-\w+-\d+$/, dnsSuffix: 'amazonaws.eu', dualStackDnsSuffix: 'api.amazonwebservices.eu' },
  { name: 'aws-iso', regions: /^us-iso-\w+-\d+$/, dnsSuffix: 'c2s.ic.gov', dualStackDnsSuffix: 'api.aws.ic.gov' },
  { name: 'aws-iso-b', regions: /^us-isob-\w+-\d+$/, dnsSuffix: 'sc2s.sgov.gov', dualStackDnsSuffix: 'api.aws.scloud' },
  { name: 'aws-iso-e', regions: /^eu-isoe-\w+-\d+$/, dnsSuffix: 'cloud.adc-e.uk', dualStackDnsSuffix: 'api.cloud-aws.adc-e.uk' },
  { name: 'aws-iso-f', regions: /^us-isof-\w+-\d+$/, dnsSuffix: 'csp.hci.ic.gov', dualStackDnsSuffix: 'api.aws.hci.ic.gov' },
];

/** `aws`, and any Region name the table does not know (as the SDK does). */
const COMMERCIAL: Partition = { name: 'aws', dnsSuffix: 'amazonaws.com', dualStackDnsSuffix: 'api.aws' };

/** Every partition's name: what the first field of an ARN may be. */
export const PARTITION_NAMES: ReadonlySet<string> = new Set([COMMERCIAL.name, ...PARTITIONS.map((p) => p.name)]);

/**
 * The partition a Region belongs to.
 *
 * @example
 * partitionOfRegion('cn-north-1').dnsSuffix; // 'amazonaws.com.cn'
 */
export function partitionOfRegion(region: string): Partition {
  return PARTITIONS.find((p) => p.regions.test(region)) ?? COMMERCIAL;
}
