// Tiny benchmark harness: runs a function in batches, reports the median per-call time in microseconds.

export interface Measurement {
  readonly name: string;
  readonly usPerOp: number;
  /** Set by `measurePair`: the median of each round's ratio to the baseline batch run right after it. */
  readonly pairedRatio?: number;
}

/** Median µs per call of `fn` over `rounds` batches of `batch` calls, after a warm-up batch. */
export async function measure(
  name: string,
  fn: (i: number) => unknown,
  opts: { batch?: number; rounds?: number } = {},
): Promise<Measurement> {
  const batch = opts.batch ?? 2000;
  const rounds = opts.rounds ?? 7;
  const times: number[] = [];
  let i = 0;
  for (let r = 0; r < rounds + 1; r++) {
    const start = process.hrtime.bigint();
    for (let b = 0; b < batch; b++) {
      const out = fn(i++);
      if (out instanceof Promise) await out;
    }
    const us = Number(process.hrtime.bigint() - start) / 1000 / batch;
    if (r > 0) times.push(us);
  }
  times.sort((a, b) => a - b);
  return { name, usPerOp: times[Math.floor(times.length / 2)] as number };
}

/**
 * Measures `fn` and `baseline` in alternating batches, so both see the same machine load (other processes,
 * CPU frequency): on a shared 2-core machine this keeps ratios stable where separate runs drift by ±20%. The ratio
 * reported is the median of the per-round ratios, each of two adjacent batches, rather than the ratio of two medians
 * that may come from rounds under different load.
 */
export async function measurePair(
  name: string,
  fn: (i: number) => unknown,
  baselineName: string,
  baseline: (i: number) => unknown,
  opts: { batch?: number; rounds?: number } = {},
): Promise<[Measurement, Measurement]> {
  const batch = opts.batch ?? 1000;
  const rounds = opts.rounds ?? 15;
  const run = async (f: (i: number) => unknown, offset: number): Promise<number> => {
    const start = process.hrtime.bigint();
    for (let b = 0; b < batch; b++) {
      const out = f(offset + b);
      if (out instanceof Promise) await out;
    }
    return Number(process.hrtime.bigint() - start) / 1000 / batch;
  };
  const a: number[] = [];
  const base: number[] = [];
  for (let r = 0; r <= rounds; r++) {
    const ta = await run(fn, r * batch);
    const tb = await run(baseline, r * batch);
    if (r === 0) continue; // warm-up
    a.push(ta);
    base.push(tb);
  }
  const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;
  return [
    { name, usPerOp: median(a), pairedRatio: median(a.map((t, r) => t / base[r]!)) },
    { name: baselineName, usPerOp: median(base) },
  ];
}

export interface Ratio {
  readonly section: string;
  readonly name: string;
  readonly value: number;
  readonly baseline: number;
  readonly ratio: number;
  readonly unit: string;
  readonly goal: string;
  readonly met: boolean;
}

export function ratio(
  section: string,
  name: string,
  m: Measurement,
  base: Measurement,
  goal: { maxRatio?: number; aimRatio?: number; maxValue?: number },
): Ratio {
  const r = m.pairedRatio ?? m.usPerOp / base.usPerOp;
  const met = (goal.maxRatio === undefined || r <= goal.maxRatio) && (goal.maxValue === undefined || m.usPerOp <= goal.maxValue);
  const aim = goal.aimRatio === undefined ? '' : ` (aim ${goal.aimRatio}×)`;
  const goalText = [
    goal.maxRatio !== undefined ? `≤ ${goal.maxRatio}×${aim}` : '',
    goal.maxValue !== undefined ? `≤ ${goal.maxValue} µs` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return { section, name, value: round(m.usPerOp), baseline: round(base.usPerOp), ratio: round(r), unit: 'µs', goal: goalText, met };
}

export const round = (n: number): number => Math.round(n * 100) / 100;
