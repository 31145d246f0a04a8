// Reads one audit input file as text; a file that cannot be read is an input error naming the file and the reason.
import { readFile } from 'node:fs/promises';
import { MeshgateError } from '../../errors';

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
