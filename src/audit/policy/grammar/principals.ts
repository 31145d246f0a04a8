// Principal grammar: the four principal types and the value forms IAM accepts for each.
import { iamVariables } from './variables';

export const PRINCIPAL_TYPES: readonly string[] = ['AWS', 'Service', 'Federated', 'CanonicalUser'];

const ACCOUNT_ID = /^\d{12}$/;
/** IAM's unique ids (AIDA… users, AROA… roles): what a stored policy shows once the named principal is deleted. */
const UNIQUE_ID = /^A[A-Z0-9]{3}[A-Z0-9]{12,}$/;
const IAM_PRINCIPAL_ARN =
  /^arn:[a-z-]+:(iam::(\d{12}|cloudfront):(root|user\/.+|role\/.+)|sts::\d{12}:(assumed-role\/.+|federated-user\/.+))$/;
const SERVICE = /^[a-z0-9][a-z0-9.-]*\.(amazonaws\.com(\.cn)?|amazon\.com|aws\.internal)$/;
const FEDERATED_ARN = /^arn:[a-z-]+:iam::\d{12}:(saml-provider|oidc-provider)\/.+$/;
const HOST = /^[a-z0-9][a-z0-9.-]*\.[a-z]{2,}(\/.*)?$/i;
const CANONICAL_USER = /^[0-9a-f]{64}$/i;

/** Template placeholders (`${Role.Arn}`, `lambda.${AWS::URLSuffix}`) stand for values known only at deploy time. */
function isPlaceholder(value: string): boolean {
  return value.includes('${');
}

function awsProblem(value: string): string | undefined {
  if (ACCOUNT_ID.test(value) || UNIQUE_ID.test(value)) return undefined;
  if (value.startsWith('arn:') && (value.includes('*') || value.includes('?')))
    return 'holds a wildcard: IAM accepts "*" alone, or exact ARNs (narrow "*" with aws:PrincipalArn or aws:PrincipalAccount instead)';
  if (IAM_PRINCIPAL_ARN.test(value)) return undefined;
  return 'is not "*", a 12-digit account id, or the ARN of an account root, user, role or assumed-role session';
}

function valueProblem(type: string, value: string): string | undefined {
  if (iamVariables(value).length > 0) return 'holds a policy variable: IAM substitutes variables only in Resource and Condition';
  if (value === '*' || isPlaceholder(value)) return undefined;
  switch (type) {
    case 'AWS':
      return awsProblem(value);
    case 'Service':
      return SERVICE.test(value) ? undefined : 'is not a service principal (like lambda.amazonaws.com)';
    case 'Federated':
      if (FEDERATED_ARN.test(value)) return undefined;
      return !value.startsWith('arn:') && HOST.test(value)
        ? undefined
        : 'is not an identity provider (cognito-identity.amazonaws.com, a host name, or a saml-provider/oidc-provider ARN)';
    case 'CanonicalUser':
      return CANONICAL_USER.test(value) ? undefined : 'is not a canonical user id (64 hexadecimal digits)';
    default:
      return undefined;
  }
}

/**
 * Problems in a Principal or NotPrincipal object, read type by type: unknown principal types and
 * values of the wrong form. `arn:aws:iam::*:root` is reported: IAM takes no wildcard in a principal ARN.
 *
 * @example
 * principalProblems('Principal', { AWS: ['arn:aws:iam::*:root'] });
 * // ['Principal AWS "arn:aws:iam::*:root" holds a wildcard: ...']
 */
export function principalProblems(element: string, byType: Readonly<Record<string, readonly string[]>>): string[] {
  const problems: string[] = [];
  for (const [type, values] of Object.entries(byType)) {
    if (!PRINCIPAL_TYPES.includes(type)) {
      problems.push(`${element} type "${type}" is not one of ${PRINCIPAL_TYPES.join(', ')}`);
      continue;
    }
    for (const value of values) {
      const problem = valueProblem(type, value);
      if (problem) problems.push(`${element} ${type} "${value}" ${problem}`);
    }
  }
  return problems;
}
