// `meshgate <command>`: dispatches to one module per command. Exit codes: 0 ok, 1 findings/failure, 2 bad usage.
// Every message a command prints starts `meshgate <command>: `; results go to stdout, everything else to stderr.
import { version } from '../../package.json';
import { sendLogsToStderr } from '../observability';

export interface Command {
  readonly summary: string;
  /** Runs the command; resolves with the process exit code. */
  run(argv: string[]): Promise<number>;
}

// Commands load on demand (`require`, not `import()`: the bin runs these sources through tsx's CommonJS hook),
// so `meshgate rotate` never pays for the audit's IAM catalogue.
/* eslint-disable @typescript-eslint/no-require-imports -- lazy loading, see above */
const COMMANDS: Record<string, () => Command> = {
  start: () => (require('./start') as { command: Command }).command,
  rotate: () => (require('./rotate') as { command: Command }).command,
  audit: () => (require('./audit') as { command: Command }).command,
  'snapshot-jwks': () => (require('./snapshot-jwks') as { command: Command }).command,
  check: () => (require('./check') as { command: Command }).command,
};
/* eslint-enable @typescript-eslint/no-require-imports */

const USAGE = `usage: meshgate <command> [options]

commands:
  start    start the local stack (OIDC issuer, demo mesh service, serverless offline)
  rotate   rotate a signing key set (--local for the local stack's .meshgate/keys.json)
  audit    audit IAM policies, templates and the live account
  snapshot-jwks  save trusted issuers' JWKS into config/jwks-snapshot.json for cold starts
  check    check config/routes.json (routes, principals, delegation edges)

  version  print meshgate's version (also --version)

Run 'meshgate <command> --help' for a command's options.`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    console.log(version);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    console.error(`meshgate: unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  sendLogsToStderr();
  try {
    return await load().run(rest);
  } catch (err) {
    // What a command did not expect still gets its prefix and a failure code, never a stack trace.
    console.error(`meshgate ${name}: ${(err as Error).message ?? String(err)}`);
    return 1;
  }
}
