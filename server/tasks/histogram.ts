import "server-only";

// Bounded latency histograms: fixed log-spaced buckets, eight per doubling (each about 9 % wide), from 1 ms up to
// a day. A histogram is a sparse map bucket index -> count, so a task that always takes 300 ms costs one entry, and
// no histogram can hold more than BUCKET_COUNT entries however many tasks it counts.

const PER_DOUBLING = 8;
const MIN_SECONDS = 0.001;
const BUCKET_COUNT = 220; // 2^(220/8) ms is about 2.1 days
/** The relative width of one bucket: a percentile read from a histogram is within this factor of the true value. */
export const BUCKET_RATIO = 2 ** (1 / PER_DOUBLING);

export type Histogram = Record<number, number>;

export function bucketOf(seconds: number): number {
  if (!(seconds > MIN_SECONDS)) return 0;
  const i = Math.floor(Math.log2(seconds / MIN_SECONDS) * PER_DOUBLING);
  return Math.min(BUCKET_COUNT - 1, i);
}

/** The lower bound of a bucket, in seconds. */
export const bucketFloor = (i: number) => (i <= 0 ? 0 : MIN_SECONDS * 2 ** (i / PER_DOUBLING));

export function observe(h: Histogram, seconds: number, count = 1): void {
  const i = bucketOf(seconds);
  h[i] = (h[i] ?? 0) + count;
}

export function merge(into: Histogram, from: Histogram): Histogram {
  for (const [k, v] of Object.entries(from)) {
    const i = Number(k);
    if (Number.isInteger(i) && i >= 0 && i < BUCKET_COUNT && Number.isFinite(v) && v > 0) into[i] = (into[i] ?? 0) + v;
  }
  return into;
}

export const total = (h: Histogram) => Object.values(h).reduce((n, v) => n + v, 0);

/**
 * The q-quantile (0 < q <= 1): the bucket holding the rank-q observation, read at the geometric point of that rank
 * within the bucket (observations assumed spread evenly in log scale inside it). Null for an empty histogram.
 */
export function quantile(h: Histogram, q: number): number | null {
  const n = total(h);
  if (n === 0) return null;
  const rank = Math.max(1, Math.ceil(q * n));
  let seen = 0;
  for (const i of Object.keys(h)
    .map(Number)
    .sort((a, b) => a - b)) {
    const c = h[i]!;
    if (seen + c >= rank) {
      const lo = bucketFloor(i);
      const hi = bucketFloor(i + 1);
      if (lo === 0) return hi * ((rank - seen) / c);
      return lo * (hi / lo) ** ((rank - seen - 0.5) / c);
    }
    seen += c;
  }
  return null;
}

export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  count: number;
}

export const percentiles = (h: Histogram): Percentiles => ({
  p50: quantile(h, 0.5),
  p95: quantile(h, 0.95),
  p99: quantile(h, 0.99),
  count: total(h),
});

/** Parses a stored histogram (JSON object of index -> count), dropping anything that is not one. */
export function parseHistogram(raw: string | null | undefined): Histogram {
  if (!raw) return {};
  try {
    const v = JSON.parse(raw) as unknown;
    return v && typeof v === "object" && !Array.isArray(v) ? merge({}, v as Histogram) : {};
  } catch {
    return {};
  }
}
