// The identities that *are* an upstream service when it calls meshgate: IAM roles and users, OAuth clients per issuer.
import { ConfigError } from '../errors';
import { readObject, readString } from '../config/check';

/** An IAM principal as configured: the ARN given, and the key a caller ARN is matched on. */
export interface IamPrincipal {
  readonly arn: string;
  /** `partition:account:role/name` or `partition:account:user/name` (see {@link iamPrincipalKey}). */
  readonly key: string;
}

/** An OAuth client that authenticates with its own client-credentials access token from `issuer`. */
export interface ClientPrincipal {
  /** `iss` of the access token, or an alias of a trusted issuer (MESHGATE_ISSUERS `aliases`). */
  readonly issuer: string;
  readonly clientId: string;
}

export interface Principals {
  readonly iam: readonly IamPrincipal[];
  readonly clients: readonly ClientPrincipal[];
}

export const NO_PRINCIPALS: Principals = Object.freeze({ iam: Object.freeze([]), clients: Object.freeze([]) });

// IAM names: role and user names are unique in an account whatever their path (IAM API reference, CreateRole).
const NAME = '[\\w+=,.@-]{1,64}';
const IAM_ARN = new RegExp(`^arn:(aws[a-z-]*):iam::(\\d{12}):(role|user)((?:/[\\x21-\\x2e\\x30-\\x7e]+)*)/(${NAME})$`);
const ASSUMED_ROLE_ARN = new RegExp(`^arn:(aws[a-z-]*):sts::(\\d{12}):assumed-role/(${NAME})/[\\w+=,.@-]{2,64}$`);

/**
 * The key an IAM role or user ARN is matched on: partition, account, kind and name, the path left out (an
 * assumed-role session ARN names the role without its path, and a name is unique in its account). Undefined for
 * anything else (root, federated users, a malformed ARN).
 *
 * @example
 * iamPrincipalKey('arn:aws:iam::123456789012:role/teams/orders') // 'aws:123456789012:role/orders'
 */
export function iamPrincipalKey(arn: string): string | undefined {
  const m = IAM_ARN.exec(arn);
  if (m === null) return undefined;
  const [, partition, account, kind, , name] = m;
  return `${partition}:${account}:${kind}/${name}`;
}

/**
 * The key of the IAM caller API Gateway verified (`requestContext.identity.userArn` or `authorizer.iam.userArn`): an
 * assumed-role session `arn:aws:sts::123456789012:assumed-role/orders/i-0abc` is its role, an IAM user is itself.
 *
 * @example
 * callerPrincipalKey('arn:aws:sts::123456789012:assumed-role/orders/session-1') // 'aws:123456789012:role/orders'
 */
export function callerPrincipalKey(callerArn: string): string | undefined {
  const assumed = ASSUMED_ROLE_ARN.exec(callerArn);
  if (assumed !== null) return `${assumed[1]}:${assumed[2]}:role/${assumed[3]}`;
  return callerArn.includes(':user/') ? iamPrincipalKey(callerArn) : undefined;
}

function readList(path: string, value: unknown): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ConfigError(path, 'must be a list');
  return value;
}

/** Parses `upstreams.<name>.principals`; `{ iam: [role or user ARN], clients: [{ issuer, clientId }] }`. */
export function parsePrincipals(path: string, value: unknown): Principals {
  if (value === undefined) return NO_PRINCIPALS;
  const raw = readObject(path, value, ['iam', 'clients']);
  const iam = readList(`${path}.iam`, raw.iam).map((item, i) => {
    const at = `${path}.iam[${i}]`;
    const arn = readString(at, item);
    const key = iamPrincipalKey(arn);
    if (key === undefined) throw new ConfigError(at, 'must be an IAM role or user ARN, like arn:aws:iam::123456789012:role/orders');
    return Object.freeze({ arn, key });
  });
  const clients = readList(`${path}.clients`, raw.clients).map((item, i) => {
    const at = `${path}.clients[${i}]`;
    const c = readObject(at, item, ['issuer', 'clientId']);
    return Object.freeze({
      issuer: readString(`${at}.issuer`, c.issuer, { pattern: /^https?:\/\/\S+$/, hint: 'the issuer URL exactly as its tokens carry it' }),
      clientId: readString(`${at}.clientId`, c.clientId, { pattern: /^[\x21-\x7e]{1,256}$/, hint: 'a client id in visible ASCII' }),
    });
  });
  return Object.freeze({ iam: Object.freeze(iam), clients: Object.freeze(clients) });
}

/** The one identity string of a principal, for "claimed by two upstreams" and the decision log. */
export function principalIds(principals: Principals): Array<{ id: string; field: string }> {
  return [
    ...principals.iam.map((p, i) => ({ id: `iam ${p.key}`, field: `iam[${i}]` })),
    ...principals.clients.map((c, i) => ({ id: `client ${c.issuer} ${c.clientId}`, field: `clients[${i}]` })),
  ];
}
