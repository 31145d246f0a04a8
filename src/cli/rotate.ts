// `meshgate rotate`: rotates the local key set (--local) or starts a Secrets Manager rotation (--secret-id).
import { parseArgs } from 'node:util';
import { RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { DEFAULT_LOCAL_KEYS_FILE, FileKeyStore } from '../keys/key-store-file';
import type { SigningKeySet } from '../keys/key-set';
import { createRotationClient } from '../rotation/retry';
import { isMeshgateError } from '../errors';
import type { Command } from './main';

const USAGE = `usage: meshgate rotate --local [--keys-file <path>] [--json]
       meshgate rotate --secret-id <id>

Rotates a signing key set: next becomes current (it was already published), current becomes previous
(still published, so assertions it signed keep verifying), and a fresh next key is generated.

options:
  --local             rotate the local stack's key set file (what \`npm start\` serves)
  --keys-file <path>  local key set file (it must exist: \`npm start\` creates it)  default ${DEFAULT_LOCAL_KEYS_FILE}
  --json              print the old and new kids as JSON
  --secret-id <id>    start rotation of a Secrets Manager secret now (RotateSecret; AWS credentials
                      and region from the environment)
  --help              show this help

exit codes: 0 rotated, 1 rotation failed, 2 bad usage (a --keys-file that does not exist included)`;

type Parsed = { kind: 'help' } | { kind: 'local'; keysFile: string; json: boolean } | { kind: 'aws'; secretId: string };

function parse(argv: string[]): Parsed {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      local: { type: 'boolean' },
      'keys-file': { type: 'string' },
      json: { type: 'boolean' },
      'secret-id': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return { kind: 'help' };
  const secretId = values['secret-id'];
  if (values.local && secretId !== undefined) throw new Error('--local and --secret-id exclude each other');
  if (values.local) return { kind: 'local', keysFile: values['keys-file'] || DEFAULT_LOCAL_KEYS_FILE, json: values.json === true };
  if (values['keys-file'] !== undefined || values.json) throw new Error('--keys-file and --json go with --local');
  if (secretId !== undefined && secretId !== '') return { kind: 'aws', secretId };
  throw new Error('say what to rotate: --local or --secret-id <id>');
}

const kids = (set: SigningKeySet) => ({ current: set.current.kid, next: set.next.kid, previous: set.previous?.kid ?? null });

async function rotateLocal(keysFile: string, json: boolean): Promise<number> {
  const store = new FileKeyStore(keysFile);
  let before: SigningKeySet;
  let after: SigningKeySet;
  try {
    before = await store.load();
    after = await store.rotate();
  } catch (err) {
    // A missing file is a mistyped path (usage, 2); one that does not parse is a failed rotation (1).
    console.error(`meshgate rotate: ${(err as Error).message}`);
    return isMeshgateError(err) && err.code === 'key_file_missing' ? 2 : 1;
  }
  if (json) {
    console.log(JSON.stringify({ keysFile, before: kids(before), after: kids(after) }));
    return 0;
  }
  console.log(`rotated ${keysFile}
  current   ${after.current.kid}   (was next: published before it signs)
  next      ${after.next.kid}   (new: published now, signs after the next rotation)
  previous  ${after.previous?.kid ?? '-'}   (was current: still published, so assertions it signed keep verifying)
  retired   ${before.previous?.kid ?? '-'}   (was previous: no longer published)`);
  return 0;
}

async function rotateInAws(secretId: string): Promise<number> {
  try {
    const out = await createRotationClient().send(new RotateSecretCommand({ SecretId: secretId, RotateImmediately: true }));
    console.log(`rotation started for ${out.ARN ?? secretId}: pending version ${out.VersionId ?? '?'}
The key set signs with the new current key once finishSecret has run; warm functions pick it up within the key store TTL.`);
    return 0;
  } catch (err) {
    console.error(`meshgate rotate: ${(err as Error).name}: ${(err as Error).message}`);
    return 1;
  }
}

export const command: Command = {
  summary: 'rotate a signing key set (--local for the local stack, --secret-id for Secrets Manager)',
  async run(argv) {
    let parsed: Parsed;
    try {
      parsed = parse(argv);
    } catch (err) {
      console.error(`meshgate rotate: ${(err as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (parsed.kind === 'help') {
      console.log(USAGE);
      return 0;
    }
    return parsed.kind === 'local' ? rotateLocal(parsed.keysFile, parsed.json) : rotateInAws(parsed.secretId);
  },
};
