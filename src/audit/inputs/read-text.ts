// Reads one audit input file as text; a file that cannot be read is an input error naming the file and the reason.
import { readFile } from 'node:fs/promises';
import { MeshgateError } from '../../errors';
import { emptyInput, type AuditInput } from '../types';

/** @throws MeshgateError `audit_input_invalid` naming the file and the error code (`ENOENT`, `EACCES`, …). */
export async function readInputText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new MeshgateError('audit_input_invalid', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, {
      cause: err,
    });
  }
}

/**
 * Runs `read` for one file. With `allowUnreadable`, an input error (cannot read, not JSON/YAML) gives an empty input
 * that names the file in `skipped`, so the summary counts it; otherwise the error stands (the CLI exits 2).
 */
export async function readOrSkip(file: string, allowUnreadable: boolean | undefined, read: () => Promise<AuditInput>): Promise<AuditInput> {
  try {
    return await read();
  } catch (err) {
    if (!allowUnreadable || !(err instanceof MeshgateError)) throw err;
    const skipped = emptyInput();
    skipped.skipped.push({ file, reason: err.message });
    return skipped;
  }
}
