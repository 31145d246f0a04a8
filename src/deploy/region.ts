// The AWS Region a stage deploys to: --region, then the AWS environment and profile, then the documented default.

/** Used when neither --region nor the AWS environment or profile names a Region (README "Deploy"). */
export const DEFAULT_REGION = 'eu-west-1';

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export interface RegionChoice {
  readonly region: string;
  /** Where it came from, as printed: `--region`, `AWS_REGION`, `profile default in ~/.aws/config`, `default`. */
  readonly source: string;
}

export interface RegionInputs {
  /** The `--region` option. */
  readonly option?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The `--aws-profile` option (it wins over AWS_PROFILE, as in the Serverless Framework). */
  readonly profileOption?: string | undefined;
  /** The AWS config file's text (`AWS_CONFIG_FILE`, else `~/.aws/config`), or undefined when there is none. */
  readonly configFile?: { readonly path: string; readonly text: string } | undefined;
}

/**
 * The `region` of one profile in an AWS config file (INI): `[default]` or `[profile <name>]`, as the AWS CLI reads it.
 *
 * @example
 * profileRegion('[profile ops]\nregion = us-east-2\n', 'ops') // 'us-east-2'
 */
export function profileRegion(configText: string, profile: string): string | undefined {
  const wanted = profile === 'default' ? ['default', 'profile default'] : [`profile ${profile}`];
  let inSection = false;
  for (const raw of configText.split(/\r?\n/)) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const section = /^\[\s*(.+?)\s*\]$/.exec(line);
    if (section) inSection = wanted.includes(section[1]!.replace(/\s+/g, ' '));
    else if (inSection) {
      const setting = /^region\s*=\s*(\S+)$/.exec(line);
      if (setting) return setting[1];
    }
  }
  return undefined;
}

function checked(region: string, source: string): RegionChoice {
  if (!REGION.test(region)) throw new Error(`region "${region.slice(0, 40)}" (from ${source}) is not an AWS Region name such as eu-west-1`);
  return { region, source };
}

/**
 * Chooses the Region: `--region`, then `AWS_REGION`, `AWS_DEFAULT_REGION`, then the `region` of the active profile
 * (`--aws-profile`, `AWS_PROFILE`, else `default`) in the AWS config file, then {@link DEFAULT_REGION}.
 * Throws when the chosen value is not a Region name.
 *
 * @example
 * resolveRegion({ env: { AWS_REGION: 'us-east-1' } }) // { region: 'us-east-1', source: 'AWS_REGION' }
 */
export function resolveRegion(inputs: RegionInputs): RegionChoice {
  if (inputs.option) return checked(inputs.option, '--region');
  for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION']) {
    const value = inputs.env[name];
    if (value) return checked(value, name);
  }
  const profile = inputs.profileOption || inputs.env.AWS_PROFILE || 'default';
  if (inputs.configFile) {
    const region = profileRegion(inputs.configFile.text, profile);
    if (region) return checked(region, `profile ${profile} in ${inputs.configFile.path}`);
  }
  return { region: DEFAULT_REGION, source: 'default' };
}
