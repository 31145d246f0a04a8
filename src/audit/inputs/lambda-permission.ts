// Turns an AWS::Lambda::Permission (or a live function policy's fields) into the resource-policy statement it creates.

// YAML reads an unquoted account id (`Principal: 123456789012`) as a number.
function str(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The function's ARN: FunctionName may be a name, a partial ARN (`123456789012:function:name`) or an ARN. */
function functionArn(name: string | undefined): string {
  if (name === undefined) return '*';
  if (name.startsWith('arn:') || name.startsWith('${')) return name;
  const partial = /^(\d{12}):function:(.+)$/.exec(name);
  const [account, fn] = partial ? [partial[1]!, partial[2]!] : ['${AWS::AccountId}', name];
  return `arn:\${AWS::Partition}:lambda:\${AWS::Region}:${account}:function:${fn}`;
}

/**
 * The policy a Lambda permission adds to its function: SourceArn, SourceAccount and PrincipalOrgID
 * become the conditions AWS writes for them, so the public-principal rule judges both the same way.
 *
 * @example
 * lambdaPermissionPolicy({ Action: 'lambda:InvokeFunction', FunctionName: 'fn', Principal: '*' });
 */
export function lambdaPermissionPolicy(props: unknown): unknown {
  const p = (typeof props === 'object' && props !== null ? props : {}) as Record<string, unknown>;
  const principal = str(p.Principal) ?? '';
  const condition: Record<string, Record<string, string>> = {};
  const sourceArn = str(p.SourceArn);
  if (sourceArn) condition.ArnLike = { 'aws:SourceArn': sourceArn };
  const equals: Record<string, string> = {};
  const sourceAccount = str(p.SourceAccount);
  if (sourceAccount) equals['aws:SourceAccount'] = sourceAccount;
  const org = str(p.PrincipalOrgID);
  if (org) equals['aws:PrincipalOrgID'] = org;
  if (Object.keys(equals).length > 0) condition.StringEquals = equals;
  const who = principal === '*' ? '*' : principal.endsWith('.amazonaws.com') ? { Service: principal } : { AWS: principal };
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: who,
        Action: str(p.Action) ?? 'lambda:InvokeFunction',
        Resource: functionArn(str(p.FunctionName)),
        ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
      },
    ],
  };
}
