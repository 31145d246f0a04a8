// `meshgate snapshot-jwks`: saves every trusted issuer's JWKS so cold starts verify known keys with no fetch.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseIssuers } from '../config/issuers';
import { parseJsonEnv } from '../config/check';
import { JwksFetcher } from '../auth/jwks-fetcher';
import { isMeshgateError } from '../errors';
import type { Command } from './main';

const HELP = `usage: meshgate snapshot-jwks [--issuers <json>] [--output config/jwks-snapshot.json] [--allow-loopback-http]

Fetches the JWKS of every issuer in --issuers (default: $MESHGATE_ISSUERS) and writes them to --output,
which the authorizer bundle loads at cold start. Prints what it wrote on stdout; progress, logs and errors go to stderr. Run it before 'serverless package' and again whenever an
issuer rotates its keys (an unknown kid still triggers one fetch at run time).

exit codes: 0 written, 1 a JWKS could not be fetched (nothing written), 2 bad usage`;

export const command: Command = {
  summary: 'snapshot trusted issuers\u2019 JWKS for cold starts',
  async run(argv) {
    let values;
    try {
      ({ values } = parseArgs({
        args: argv,
        options: {
          issuers: { type: 'string' },
          output: { type: 'string', default: 'config/jwks-snapshot.json' },
          'allow-loopback-http': { type: 'boolean', default: false },
          help: { type: 'boolean', short: 'h' },
        },
      }));
    } catch (err) {
      console.error(`meshgate snapshot-jwks: ${(err as Error).message}\n\n${HELP}`);
      return 2;
    }
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    let uris: string[];
    // Errors name where the list came from: the flag, or the variable it defaults to.
    const source = values.issuers !== undefined ? '--issuers' : 'MESHGATE_ISSUERS';
    const text = values.issuers ?? process.env.MESHGATE_ISSUERS;
    if (text === undefined || text.trim() === '') {
      console.error(`meshgate snapshot-jwks: say which issuers: --issuers <json> or MESHGATE_ISSUERS\n\n${HELP}`);
      return 2;
    }
    try {
      const allowLoopbackHttp = values['allow-loopback-http'] ?? false;
      const issuers = parseIssuers(parseJsonEnv(source, text), { allowLoopbackHttp, loopbackSwitch: 'pass --allow-loopback-http' });
      uris = [...new Set(issuers.flatMap((i) => [i.jwksUri]))];
    } catch (err) {
      const message = isMeshgateError(err) ? err.message : String(err);
      console.error(`meshgate snapshot-jwks: ${message.startsWith(source) ? message : `${source}: ${message}`}`);
      return 2;
    }
    const fetcher = new JwksFetcher({ timeoutMs: 5000, allowLoopbackHttp: values['allow-loopback-http'] ?? false });
    const snapshot: Record<string, unknown> = {};
    for (const uri of uris) {
      try {
        const jwks = JSON.parse(Buffer.from(await fetcher.fetch(uri)).toString('utf8')) as { keys?: unknown };
        if (!Array.isArray(jwks.keys)) throw new Error('response has no keys list');
        snapshot[uri] = { keys: jwks.keys };
        console.error(`meshgate snapshot-jwks: fetched ${uri}: ${jwks.keys.length} keys`);
      } catch (err) {
        console.error(`meshgate snapshot-jwks: ${uri}: ${(err as Error).message}; nothing written`);
        return 1;
      }
    }
    await writeFile(values.output ?? 'config/jwks-snapshot.json', `${JSON.stringify(snapshot, null, 2)}\n`);
    console.log(`wrote ${values.output} (${uris.length} issuers)`);
    return 0;
  },
};
