// Reads a suppressions file for the CLI; kept apart from suppressions.ts so the audit bundle reads no files and no YAML.
import { readFile } from 'node:fs/promises';
import { MeshgateError } from '../errors';
import { parseWithPositions } from './inputs/locator';
import { parseSuppressions, type Suppression } from './suppressions';

/**
 * Reads and validates a suppressions JSON file; each entry keeps its line for the report.
 *
 * @throws MeshgateError `audit_input_invalid` when the file is missing, not JSON or has a bad entry
 * @example
 * const suppressions = await readSuppressions('config/audit-suppressions.json');
 */
export async function readSuppressions(file: string): Promise<Suppression[]> {
  let text: string;
  let value: unknown;
  try {
    text = await readFile(file, 'utf8');
    value = JSON.parse(text);
  } catch (err) {
    throw new MeshgateError('audit_input_invalid', `cannot read suppressions ${file}: ${(err as Error).message}`, { cause: err });
  }
  return parseSuppressions(value, { file, locate: parseWithPositions(text).locate });
}
