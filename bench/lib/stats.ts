// Small timing helpers shared by the bench sections: wall time in milliseconds, medians, percentiles.

export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = nowMs();
  const value = await fn();
  return { ms: nowMs() - start, value };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[at] as number;
}

export const median = (values: readonly number[]): number => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** Rounds for JSON and tables: 3 significant decimals below 10, fewer above. */
export function round(n: number): number {
  if (!Number.isFinite(n)) return n;
  const abs = Math.abs(n);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return Number(n.toFixed(digits));
}

/** Runs fn `reps` times after `warmups` untimed runs; returns the wall time of each timed run (ms). */
export async function repeat(reps: number, fn: () => Promise<unknown>, warmups = 1): Promise<number[]> {
  for (let i = 0; i < warmups; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < reps; i++) out.push((await timed(fn)).ms);
  return out;
}

/** median / p95 / min / max of a sample, rounded. */
export function summary(values: readonly number[]): {
  median: number;
  p95: number;
  min: number;
  max: number;
  n: number;
} {
  return {
    median: round(median(values)),
    p95: round(percentile(values, 95)),
    min: round(Math.min(...values)),
    max: round(Math.max(...values)),
    n: values.length,
  };
}

export const ratio = (a: number, b: number): number => round(a / b);
