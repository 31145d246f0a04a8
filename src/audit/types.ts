// The audit's data model: findings, severities and the inputs every reader produces for the engine.

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Higher is worse: `critical` is 4, `low` is 1. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(severity);
}

export const FINDING_KINDS = [
  'wildcard-action',
  'wildcard-resource-sensitive',
  'privilege-escalation',
  'passrole-star',
  'notaction-allow',
  'notresource-allow',
  'public-principal',
  'workload-trust-unpinned',
  'workload-role-shared',
  'service-role-missing',
  'malformed',
  'unknown-action',
  'route-without-authorizer',
  'secret-rotation-disabled',
  'secret-rotation-overdue',
  'secret-rotation-stuck',
  'baseline-drift',
  'suppression-expired',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface SourceLocation {
  readonly file: string;
  /** 1-based line; absent when the input has no text position (live account). */
  readonly line?: number;
}

/** The IAM catalogue's access levels, most powerful first. */
export const ACCESS_LEVELS = ['Permissions management', 'Write', 'Tagging', 'Read', 'List'] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

/**
 * Risk tiers of an action, most powerful first: the catalogue's access levels with Read split into data reads (the
 * contents a workload protects, listed in data-reads.ts) and metadata reads (everything else at Read).
 */
export const ACTION_TIERS = ['Permissions management', 'Write', 'Data read', 'Tagging', 'Metadata read', 'List'] as const;
export type ActionTier = (typeof ACTION_TIERS)[number];

export interface FindingActions {
  readonly count: number;
  /** A few of the actions, ordered by risk (escalation actions, then by tier). */
  readonly sample: readonly string[];
  /** How many of the actions fall in each tier (by the action's most powerful one), when the catalogue knows them. */
  readonly levels?: Partial<Record<ActionTier, number>>;
}

export interface Finding {
  readonly kind: FindingKind;
  readonly severity: Severity;
  /** ARN, CloudFormation logical id or file path of what holds the problem. */
  readonly resource: string;
  /** `Sid` when the statement has one, else its 0-based index. */
  readonly statement?: string | number;
  readonly action?: string;
  /** Kinds reported once per statement: the actions the finding covers, worst access level first. */
  readonly actions?: FindingActions;
  readonly resourceArn?: string;
  readonly principal?: string;
  /**
   * Other kinds this finding stands for on the same statement, not reported separately (an escalation on Resource
   * "*" is not also a wildcard-resource-sensitive finding for the same actions).
   */
  readonly covers?: readonly FindingKind[];
  /** One line: what is wrong and how to fix it. */
  readonly message: string;
  readonly location?: SourceLocation;
  /** Set when the audit ran against a baseline and this finding is not in it. */
  readonly baselineState?: 'new';
}

/** How a document is used: permissions of a principal, a policy on a resource, or a role's trust policy. */
export type PolicyKind = 'identity' | 'resource' | 'trust';

/** Returns the 1-based line of the node at `path` in a source file, when known. */
export type Locate = (path: readonly (string | number)[]) => number | undefined;

/** For inputs without text (live account): no line is ever known. */
export const noLocation: Locate = () => undefined;

export interface PolicySource {
  readonly file: string;
  /** Path of the policy document inside the file. */
  readonly path: readonly (string | number)[];
  readonly locate: Locate;
}

export interface PolicyDocumentInput {
  /** Stable identity of the document across runs (baselines key on it). */
  readonly id: string;
  /** What findings on this document name as `resource`. */
  readonly resource: string;
  readonly policyKind: PolicyKind;
  /** The parsed document, intrinsic functions already resolved to strings. */
  readonly document: unknown;
  readonly source?: PolicySource;
  /** Principals (users, groups' members, roles) whose effective permissions include this document. */
  readonly principals?: readonly string[];
  /** AWS-managed policies only count towards their principals' combined permissions. */
  readonly awsManaged?: boolean;
  /** CloudFormation type of the resource the policy is attached to (`AWS::ECR::Repository`), when the input says. */
  readonly resourceType?: string;
  /** Trust policies: the name of the role they belong to, when the input knows it (may hold `${...}` placeholders). */
  readonly roleName?: string;
}

/** An IAM role that the route configuration names as the identity of one upstream service. */
export interface ServiceRoleInput {
  /** The upstream's name in the route configuration. */
  readonly service: string;
  readonly roleArn: string;
  readonly location?: SourceLocation;
}

export interface RouteInput {
  /** API id or logical id, and the route as `METHOD /path`. */
  readonly api: string;
  readonly method: string;
  readonly path: string;
  /** `NONE`, `CUSTOM`, `COGNITO_USER_POOLS`, `AWS_IAM`, `JWT`. */
  readonly authorizationType: string;
  readonly apiKeyRequired: boolean;
  readonly resource: string;
  readonly location?: SourceLocation;
}

export interface SecretInput {
  readonly name: string;
  readonly resource: string;
  readonly rotationEnabled: boolean;
  readonly rotationDays?: number;
  readonly lastRotated?: Date;
  readonly created?: Date;
  readonly nextRotation?: Date;
  /** A version labelled AWSPENDING that is not AWSCURRENT and is older than a rotation should take. */
  readonly stalePendingVersion?: string;
  /** Tagged `meshgate:public=true`: holds public data only (the public JWKS), so no rotation is expected. */
  readonly publicData?: true;
  /** Tagged `meshgate:managed=true` (live input only): the scheduled rotation check owns its rotation state. */
  readonly managed?: true;
  readonly location?: SourceLocation;
}

/** A file left out of the audit because it could not be read or parsed (only when the caller allows it). */
export interface SkippedFile {
  readonly file: string;
  readonly reason: string;
}

export interface AuditInput {
  readonly documents: PolicyDocumentInput[];
  readonly routes: RouteInput[];
  readonly secrets: SecretInput[];
  /** Roles the route configuration names as services' identities, when it was read. */
  readonly serviceRoles: ServiceRoleInput[];
  /** Human-readable names of what was read: file paths, `live:<account>`. */
  readonly sources: string[];
  /** Files not audited because they could not be read (`--allow-unreadable`); counted in the summary. */
  readonly skipped: SkippedFile[];
}

export function emptyInput(): AuditInput {
  return { documents: [], routes: [], secrets: [], serviceRoles: [], sources: [], skipped: [] };
}

/** Concatenates inputs read from several places. */
export function mergeInputs(...inputs: AuditInput[]): AuditInput {
  const out = emptyInput();
  for (const input of inputs) {
    out.documents.push(...input.documents);
    out.routes.push(...input.routes);
    out.secrets.push(...input.secrets);
    out.serviceRoles.push(...input.serviceRoles);
    out.sources.push(...input.sources);
    out.skipped.push(...input.skipped);
  }
  return out;
}
