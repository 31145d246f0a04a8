// `meshgate check`: validates the route configuration (routes, upstreams, principals, edges) as every function does at cold start.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { isMeshgateError } from '../errors';
import { parseRouteTable } from '../routes/route-table';
import type { Command } from './main';

const USAGE = `usage: meshgate check [--routes <file>]

Checks a route configuration the way the authorizer, ingress and token exchange do at cold start: routes,
upstreams and their principals, delegation edges. Exit 0 when it is valid, 1 with the field at fault, 2 on bad usage.

options:
  --routes <file>   route configuration   default config/routes.json
  --help            show this help`;

export const command: Command = {
  summary: 'check config/routes.json (routes, principals, delegation edges)',
  async run(argv: string[]): Promise<number> {
    let file: string;
    try {
      const { values } = parseArgs({
        args: argv,
        strict: true,
        options: { routes: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      });
      if (values.help) {
        console.log(USAGE);
        return 0;
      }
      file = values.routes ?? 'config/routes.json';
    } catch (err) {
      console.error(`meshgate check: ${(err as Error).message}\n\n${USAGE}`);
      return 2;
    }
    try {
      const table = parseRouteTable(JSON.parse(await readFile(file, 'utf8')) as unknown);
      const premint = table.edges.filter((e) => e.premint).length;
      console.log(
        `${file}: valid (${table.routes.length} routes, ${table.upstreams.size} upstreams, ${table.edges.length} delegation edges, ${premint} pre-minted)`,
      );
      return 0;
    } catch (err) {
      console.error(`meshgate check: ${file}: ${isMeshgateError(err) || err instanceof SyntaxError ? err.message : String(err)}`);
      return 1;
    }
  },
};
