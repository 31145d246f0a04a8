// What CloudFormation would deploy from a template for given parameter values, as far as Conditions go: resources whose
// Condition is false are dropped, `Fn::If` takes its branch, `AWS::NoValue` disappears and `Ref` to a parameter becomes
// its value. Every other intrinsic (Ref to a resource, Fn::GetAtt, Fn::Sub) is left as written, so tests can still see
// which resource a value points at.

export interface Template {
  Parameters?: Record<string, { Default?: string }>;
  Conditions?: Record<string, unknown>;
  Resources: Record<
    string,
    { Type: string; Condition?: string; DeletionPolicy?: string; UpdateReplacePolicy?: string; Properties: Record<string, unknown> }
  >;
}

const NO_VALUE = Symbol('AWS::NoValue');

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The template as deployed with `overrides` on top of the parameters' defaults (Conditions evaluated).
 *
 * @example
 * const deployed = withParameters(template, { AlarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops' });
 */
export function withParameters(template: Template, overrides: Record<string, string> = {}): Template {
  const values: Record<string, string> = {};
  for (const [name, p] of Object.entries(template.Parameters ?? {})) if (p.Default !== undefined) values[name] = p.Default;
  Object.assign(values, overrides);
  for (const name of Object.keys(overrides))
    if (!(name in (template.Parameters ?? {}))) throw new Error(`no parameter ${name} in the template`);

  const conditions = new Map<string, boolean>();
  const condition = (name: string): boolean => {
    if (!conditions.has(name)) {
      const definition = template.Conditions?.[name];
      if (definition === undefined) throw new Error(`no condition ${name} in the template`);
      conditions.set(name, truth(definition));
    }
    return conditions.get(name)!;
  };
  const scalar = (value: unknown): unknown => {
    if (isObject(value) && typeof value.Ref === 'string' && value.Ref in values) return values[value.Ref];
    return value;
  };
  const truth = (value: unknown): boolean => {
    if (!isObject(value)) throw new Error(`not a condition: ${JSON.stringify(value)}`);
    const [fn, arg] = Object.entries(value)[0] as [string, unknown];
    const args = arg as unknown[];
    switch (fn) {
      case 'Condition':
        return condition(String(arg));
      case 'Fn::Equals':
        return JSON.stringify(scalar(args[0])) === JSON.stringify(scalar(args[1]));
      case 'Fn::Not':
        return !truth(args[0]);
      case 'Fn::And':
        return args.every(truth);
      case 'Fn::Or':
        return args.some(truth);
      default:
        throw new Error(`condition function ${fn} is not supported here`);
    }
  };
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve).filter((v) => v !== NO_VALUE);
    if (!isObject(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'Ref') {
      if (value.Ref === 'AWS::NoValue') return NO_VALUE;
      return scalar(value);
    }
    if (keys.length === 1 && keys[0] === 'Fn::If') {
      const [name, whenTrue, whenFalse] = value['Fn::If'] as [string, unknown, unknown];
      return resolve(condition(name) ? whenTrue : whenFalse);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const resolved = resolve(v);
      if (resolved !== NO_VALUE) out[k] = resolved;
    }
    return out;
  };

  const resources: Template['Resources'] = {};
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Condition !== undefined && !condition(resource.Condition)) continue;
    resources[id] = resolve(resource) as Template['Resources'][string];
  }
  return { ...template, Resources: resources };
}
