// Condition grammar: IAM's operators (with IfExists and ForAnyValue:/ForAllValues:), key form and value types.

const TYPES = {
  String: ['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike'],
  Numeric: [
    'NumericEquals',
    'NumericNotEquals',
    'NumericLessThan',
    'NumericLessThanEquals',
    'NumericGreaterThan',
    'NumericGreaterThanEquals',
  ],
  Date: ['DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals'],
  Bool: ['Bool'],
  Binary: ['BinaryEquals'],
  Ip: ['IpAddress', 'NotIpAddress'],
  Arn: ['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike'],
  Null: ['Null'],
} as const;

type ValueType = keyof typeof TYPES;

const OPERATOR_NAMES: readonly string[] = Object.values(TYPES).flat();

// Lower-cased: whether IAM accepts `stringequals` is not documented, so letter case alone is never reported.
const TYPE_OF = new Map<string, ValueType>(
  (Object.entries(TYPES) as [ValueType, readonly string[]][]).flatMap(([type, names]) =>
    names.map((name) => [name.toLowerCase(), type] as const),
  ),
);

/** The operator's value type, or a problem when IAM does not know the operator. */
export function checkOperator(operator: string): { readonly type: ValueType } | { readonly problem: string } {
  const set = /^(ForAnyValue|ForAllValues):/i.exec(operator);
  const rest = set ? operator.slice(set[0].length) : operator;
  const ifExists = /IfExists$/i.test(rest);
  const base = ifExists ? rest.slice(0, -'IfExists'.length) : rest;
  const type = TYPE_OF.get(base.toLowerCase());
  if (type === undefined) {
    const hint = closestOperator(base);
    return { problem: `condition operator "${operator}" is not an IAM operator${hint ? ` (did you mean ${hint}?)` : ''}` };
  }
  if (type === 'Null' && ifExists)
    return { problem: `condition operator "${operator}": Null takes no IfExists (Null already tests for a missing key)` };
  return { type };
}

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length]!;
}

function closestOperator(base: string): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of OPERATOR_NAMES) {
    const d = distance(base.toLowerCase(), name.toLowerCase());
    if (d <= 2 && (best === undefined || d < best.d)) best = { name, d };
  }
  return best?.name;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}(\/(3[0-2]|[12]?\d))?$/;
const IPV6 = /^[0-9a-f:]*:[0-9a-f:.]*(\/(12[0-8]|1[01]\d|[1-9]?\d))?$/i;

function valueProblem(type: ValueType, value: unknown): string | undefined {
  const text = String(value);
  switch (type) {
    case 'Bool':
    case 'Null':
      return /^(true|false)$/i.test(text) ? undefined : 'is not true or false';
    case 'Numeric':
      return /^-?\d+(\.\d+)?$/.test(text) ? undefined : 'is not a number';
    case 'Ip':
      return IPV4.test(text) || IPV6.test(text) ? undefined : 'is not an IP address or CIDR range';
    case 'Binary':
      return /^[A-Za-z0-9+/]*={0,2}$/.test(text) ? undefined : 'is not base64';
    default:
      return undefined;
  }
}

/**
 * Problems in one condition key and its values: a key not in `prefix:name` form, and values that do
 * not fit the operator's type (Bool and Null take true/false, Numeric numbers, IpAddress addresses or
 * CIDR ranges, BinaryEquals base64). Values holding `${...}` are not judged: in a template they stand
 * for a value resolved at deploy time. Dates are not judged: IAM only warns about them.
 */
export function checkConditionEntry(operator: string, type: ValueType, key: string, values: readonly unknown[]): string[] {
  const problems: string[] = [];
  if (!/^[^:\s]+:.+$/.test(key))
    problems.push(`condition key "${key}" is not in prefix:key form (aws:SourceIp, s3:prefix, token.actions.githubusercontent.com:sub)`);
  for (const value of values) {
    if (typeof value === 'string' && value.includes('${')) continue;
    const problem = valueProblem(type, value);
    if (problem) problems.push(`${operator} value ${JSON.stringify(value)} for "${key}" ${problem}`);
  }
  return problems;
}
