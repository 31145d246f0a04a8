// `npm run bench`: every benchmark, as ratios against baselines measured in the same run; saved to bench/results.json.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Ratio } from './harness';
import { benchAuthorizer } from './authorizer.bench';
import { benchCli } from './cli.bench';
import { benchColdStart, benchSecretRead } from './cold-start.bench';
import { benchDelegation } from './delegation.bench';
import { benchIngress } from './ingress.bench';
import { benchExchange } from './exchange.bench';

const SECTIONS: Record<string, () => Promise<Ratio[]>> = {
  authorizer: benchAuthorizer,
  ingress: benchIngress,
  exchange: benchExchange,
  'cold-start': benchColdStart,
  'secret-read': benchSecretRead,
  cli: benchCli,
  delegation: benchDelegation,
};

async function main(): Promise<void> {
  const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  if (process.argv.includes('--help')) {
    console.log(`usage: npm run bench [-- section ...]\nsections: ${Object.keys(SECTIONS).join(', ')}`);
    return;
  }
  // Decision log lines go to /dev/null-equivalent: the bench prints its own table on stderr.
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = () => true;
  const results: Ratio[] = [];
  try {
    for (const [name, run] of Object.entries(SECTIONS)) {
      if (only.length > 0 && !only.includes(name)) continue;
      process.stderr.write(`bench: ${name}…\n`);
      results.push(...(await run()));
    }
  } finally {
    process.stdout.write = write;
  }
  const rows = results.map((r) => [
    r.section,
    r.name,
    `${r.value} ${r.unit}`,
    `${r.baseline} ${r.unit}`,
    `${r.ratio}×`,
    r.goal,
    r.met ? 'met' : 'MISSED',
  ]);
  const header = ['section', 'measure', 'value', 'baseline', 'ratio', 'goal', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: string[]): string => cells.map((c, i) => String(c).padEnd(widths[i] as number)).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  // A partial run (`npm run bench -- ingress`) replaces only its own sections in the saved results.
  const ran = new Set(results.map((r) => r.section));
  let kept: Ratio[];
  try {
    kept = (JSON.parse(readFileSync('bench/results.json', 'utf8')) as { results: Ratio[] }).results.filter((r) => !ran.has(r.section));
  } catch {
    kept = [];
  }
  writeFileSync(
    'bench/results.json',
    `${JSON.stringify({ node: process.version, date: new Date().toISOString(), results: [...kept, ...results] }, null, 2)}\n`,
  );
  console.log(`\nsaved bench/results.json (${results.filter((r) => r.met).length}/${results.length} goals met)`);
}

void main();
