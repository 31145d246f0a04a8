// Reads the IAM roles the route configuration names as upstream services' identities (upstreams.<name>.principals.iam),
// so the audit can check that each exists, pins one workload, and belongs to one service only.
import { MeshgateError } from '../../errors';
import { isPlainObject } from '../../config/check';
import { emptyInput, noLocation, type AuditInput, type Locate } from '../types';
import { parseWithPositions } from './locator';
import { readInputText } from './read-text';

/**
 * The service roles of a parsed route configuration. Only the part the audit needs is read; the route table's own
 * loader validates the rest at package time and cold start.
 *
 * @example
 * const input = readServiceRoles({ upstreams: { orders: { principals: { iam: ['arn:aws:iam::123456789012:role/orders'] } } } }, 'routes.json');
 * input.serviceRoles[0]?.service // 'orders'
 */
export function readServiceRoles(config: unknown, file: string, locate: Locate = noLocation): AuditInput {
  const input = emptyInput();
  input.sources.push(file);
  const upstreams = isPlainObject(config) && isPlainObject(config.upstreams) ? config.upstreams : {};
  for (const [service, upstream] of Object.entries(upstreams)) {
    const principals = isPlainObject(upstream) && isPlainObject(upstream.principals) ? upstream.principals : {};
    const roles = Array.isArray(principals.iam) ? principals.iam : [];
    roles.forEach((roleArn: unknown, i) => {
      if (typeof roleArn !== 'string') return;
      const line = locate(['upstreams', service, 'principals', 'iam', i]);
      input.serviceRoles.push({ service, roleArn, location: { file, ...(line === undefined ? {} : { line }) } });
    });
  }
  return input;
}

/** Reads a route configuration file (JSON). @throws MeshgateError `audit_input_invalid` when it cannot be read or parsed. */
export async function readServiceRolesFile(file: string): Promise<AuditInput> {
  const parsed = parseWithPositions(await readInputText(file));
  if (parsed.value === undefined || !isPlainObject(parsed.value))
    throw new MeshgateError('audit_input_invalid', `${file} is not a route configuration (a JSON object with upstreams)`);
  return readServiceRoles(parsed.value, file, parsed.locate);
}
