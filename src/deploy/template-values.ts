// Sample values for the CloudFormation intrinsics a function's environment may hold (Ref, Fn::Sub, Fn::Join, …), so
// that the configuration loaders can run at package time on the form the deployed value will have.

/** What a `Ref` or `${Name}` stands for at package time: pseudo parameters and resources, by logical id. */
export interface SampleContext {
  readonly region: string;
  /** Values for `Ref` of a logical id; an id not listed samples as `<id>-sample`. */
  readonly refs?: Readonly<Record<string, string>>;
}

/** A REST API id as API Gateway issues them (10 lowercase letters and digits). */
export const SAMPLE_REST_API_ID = 'a1b2c3d4e5';
const SAMPLE_ACCOUNT = '123456789012';

function pseudo(name: string, ctx: SampleContext): string | undefined {
  const values: Record<string, string> = {
    'AWS::Region': ctx.region,
    'AWS::AccountId': SAMPLE_ACCOUNT,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': 'meshgate-sample',
    'AWS::StackId': `arn:aws:cloudformation:${ctx.region}:${SAMPLE_ACCOUNT}:stack/meshgate-sample/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0`,
  };
  return values[name];
}

function ref(name: string, ctx: SampleContext): string {
  return pseudo(name, ctx) ?? ctx.refs?.[name] ?? `${name}-sample`;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A string standing for what CloudFormation will put in `value`: `Ref`, `Fn::Sub` (string and list forms),
 * `Fn::Join`, `Fn::Select`, `Fn::Split` and `Fn::GetAtt` are evaluated with sample values; plain values become
 * strings as CloudFormation writes environment variables. Any other intrinsic throws, naming it.
 *
 * @example
 * sampleValue({ 'Fn::Sub': 'https://${ApiGatewayRestApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/prod' },
 *   { region: 'eu-west-1', refs: { ApiGatewayRestApi: 'a1b2c3d4e5' } })
 * // 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod'
 */
export function sampleValue(value: unknown, ctx: SampleContext): string {
  return String(evaluate(value, ctx));
}

function evaluate(value: unknown, ctx: SampleContext): unknown {
  if (Array.isArray(value)) return value.map((v) => evaluate(v, ctx));
  if (!isRecord(value)) return value;
  const [name, arg] = Object.entries(value)[0] ?? [];
  if (Object.keys(value).length !== 1 || name === undefined) throw new Error(`not a CloudFormation intrinsic: ${JSON.stringify(value)}`);
  switch (name) {
    case 'Ref':
      return ref(String(arg), ctx);
    case 'Fn::GetAtt': {
      const [id, attribute] = Array.isArray(arg) ? arg.map(String) : String(arg).split('.');
      return `${id}-${attribute}-sample`;
    }
    case 'Fn::Sub': {
      const [text, vars] = Array.isArray(arg) ? [String(arg[0]), (arg[1] ?? {}) as Record<string, unknown>] : [String(arg), {}];
      return text.replace(/\$\{([^}!][^}]*)\}/g, (_, key: string) =>
        key in vars ? String(evaluate(vars[key], ctx)) : key.includes('.') ? `${key.replace('.', '-')}-sample` : ref(key, ctx),
      );
    }
    case 'Fn::Join': {
      const [separator, items] = arg as [string, unknown];
      return (evaluate(items, ctx) as unknown[]).map(String).join(separator);
    }
    case 'Fn::Select': {
      const [index, items] = arg as [unknown, unknown];
      return (evaluate(items, ctx) as unknown[])[Number(evaluate(index, ctx))];
    }
    case 'Fn::Split': {
      const [separator, text] = arg as [string, unknown];
      return String(evaluate(text, ctx)).split(separator);
    }
    default:
      throw new Error(`cannot evaluate ${name} at package time`);
  }
}
