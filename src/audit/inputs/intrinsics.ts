// Resolves CloudFormation intrinsic functions to plain strings good enough for policy matching:
// unknown values become `${Name}` placeholders, which never equal "*" and never widen a pattern.
import { isPlainObject as isObject } from '../../config/check';

type Json = unknown;

const NO_VALUE = Symbol('AWS::NoValue');

function asString(value: Json): string {
  const resolved = resolveValue(value);
  if (typeof resolved === 'string') return resolved;
  if (typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved);
  return '${?}';
}

/** The value with intrinsics resolved to placeholders, or NO_VALUE where `Ref: AWS::NoValue` removes it. */
function resolveValue(value: Json): Json {
  if (Array.isArray(value)) return value.map(resolveValue).filter((v) => v !== NO_VALUE);
  if (!isObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const fn = keys[0]!;
    const arg = value[fn];
    if (fn === 'Ref') return arg === 'AWS::NoValue' ? NO_VALUE : `\${${String(arg)}}`;
    if (fn === 'Fn::GetAtt') return `\${${Array.isArray(arg) ? arg.map(asString).join('.') : String(arg)}}`;
    if (fn === 'Fn::Sub') {
      if (typeof arg === 'string') return arg;
      if (Array.isArray(arg) && typeof arg[0] === 'string') {
        const vars = isObject(arg[1]) ? arg[1] : {};
        return arg[0].replace(/\$\{([^}!]+)\}/g, (whole, name: string) => (name in vars ? asString(vars[name]) : whole));
      }
    }
    if (fn === 'Fn::Join' && Array.isArray(arg) && Array.isArray(resolveValue(arg[1]))) {
      return (resolveValue(arg[1]) as Json[]).map(asString).join(asString(arg[0]));
    }
    if (fn === 'Fn::Select' && Array.isArray(arg)) {
      const list = resolveValue(arg[1]);
      const item: Json = Array.isArray(list) ? (list as Json[])[Number(resolveValue(arg[0]))] : undefined;
      if (item !== undefined) return item;
    }
    // The true branch: a template's conditions are not evaluated here.
    if (fn === 'Fn::If' && Array.isArray(arg)) return resolveValue(arg[1]);
    if (fn.startsWith('Fn::')) return `\${${fn}}`;
  }
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(value)) {
    const resolved = resolveValue(v);
    if (resolved !== NO_VALUE) out[k] = resolved;
  }
  return out;
}

/**
 * Resolves intrinsic functions in a template fragment (a policy document, a permission's properties).
 *
 * @example
 * resolveIntrinsics({ 'Fn::Sub': 'arn:aws:s3:::${Bucket}/*' }); // 'arn:aws:s3:::${Bucket}/*'
 * resolveIntrinsics({ Ref: 'Queue' });                         // '${Queue}'
 */
export function resolveIntrinsics(value: Json): Json {
  const resolved = resolveValue(value);
  return resolved === NO_VALUE ? undefined : resolved;
}

/** The logical id a `Ref` or `Fn::GetAtt` points at, if `value` is one. */
export function referencedId(value: Json): string | undefined {
  if (!isObject(value)) return undefined;
  if (typeof value.Ref === 'string') return value.Ref;
  const att = value['Fn::GetAtt'];
  if (Array.isArray(att) && typeof att[0] === 'string') return att[0];
  if (typeof att === 'string') return att.split('.')[0];
  return undefined;
}
