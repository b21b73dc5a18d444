import "server-only";

// How fast is a container's task count growing, and when will it hit its effective limit? Theil–Sen (the median of
// pairwise slopes) shrugs off spikes; a Kendall-tau trend check keeps a sawtooth or a flat line from getting an ETA;
// and the window restarts after a container restart or a large drop, so the old run's growth is not extrapolated.

export type Trend = "growing" | "shrinking" | "flat" | "no-trend" | "cyclic" | "insufficient";

export interface ForecastOptions {
  windowMs?: number;
  minPoints?: number;
  minSpanMs?: number;
  /** |Kendall tau| needed to call it a trend. */
  minTau?: number;
  /** How far back to look for repeated deep drops (a sawtooth). */
  cycleLookbackMs?: number;
}

export interface Forecast {
  /** Theil–Sen slope of current over the window, in tasks per minute; null with too little data. */
  growthPerMinute: number | null;
  trend: Trend;
  kendallTau: number | null;
  usedPoints: number;
  windowStartMs: number | null;
}

/** How much history a forecast needs before it says anything (the pages say "learning" until then). */
export const FORECAST_MIN_SPAN_MS = 60_000;
const DEFAULTS = {
  windowMs: 10 * 60_000,
  minPoints: 6,
  minSpanMs: FORECAST_MIN_SPAN_MS,
  minTau: 0.6,
  cycleLookbackMs: 60 * 60_000,
};
const MAX_POINTS = 240; // subsample beyond this: pairwise statistics are O(n^2)
const DROP_RESET_RATIO = 0.5;

/** Indexes where the series falls to less than half the previous sample. */
function drops(points: readonly [number, number][]): number[] {
  const out: number[] = [];
  for (let i = 1; i < points.length; i++) {
    const prev = (points[i - 1] as [number, number])[1];
    if (prev > 0 && (points[i] as [number, number])[1] < prev * DROP_RESET_RATIO) out.push(i);
  }
  return out;
}

/** Points since the last reset: a restart event, or a drop to less than half the previous sample. */
export function currentRun(points: readonly [number, number][], resetAtMs: readonly number[] = []): [number, number][] {
  const lastReset = resetAtMs.length ? Math.max(...resetAtMs) : -Infinity;
  const run = points.filter(([t]) => t >= lastReset);
  const lastDrop = drops(run).pop();
  return lastDrop === undefined ? run : run.slice(lastDrop);
}

/** The k-th smallest value (0-based) of xs[lo..hi], reordering xs in place: Hoare's selection, O(n) on average. */
function selectKth(xs: Float64Array, k: number, lo = 0, hi = xs.length - 1): number {
  while (lo < hi) {
    const pivot = xs[(lo + hi) >> 1] as number;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((xs[i] as number) < pivot) i++;
      while ((xs[j] as number) > pivot) j--;
      if (i <= j) {
        const t = xs[i] as number;
        xs[i] = xs[j] as number;
        xs[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return xs[k] as number;
  }
  return xs[k] as number;
}

/** The median, by selection rather than a full sort (the slopes of a 240-point window are ~29,000 numbers). */
function median(values: Float64Array): number {
  const mid = values.length >> 1;
  const upper = selectKth(values, mid);
  if (values.length % 2) return upper;
  // After selecting `mid`, everything left of it is <= upper: the lower middle is the largest of those.
  let lower = -Infinity;
  for (let i = 0; i < mid; i++) if ((values[i] as number) > lower) lower = values[i] as number;
  return (lower + upper) / 2;
}

function subsample<T>(xs: T[], max: number): T[] {
  if (xs.length <= max) return xs;
  const step = (xs.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => xs[Math.round(i * step)] as T);
}

export function forecast(
  points: readonly [number, number][],
  resetAtMs: readonly number[] = [],
  opts: ForecastOptions = {},
): Forecast {
  const o = { ...DEFAULTS, ...opts };
  const sorted = [...points].sort((a, b) => a[0] - b[0]);
  const run = currentRun(sorted, resetAtMs);
  // Two or more deep drops with no restart event between them is a pool that fills and empties (a deep sawtooth),
  // not a restarted leak: the latest rising edge must not be extrapolated.
  const lastReset = resetAtMs.length ? Math.max(...resetAtMs) : -Infinity;
  const cyclic =
    drops(sorted.filter(([t]) => t >= lastReset && t >= (run[run.length - 1]?.[0] ?? 0) - o.cycleLookbackMs)).length >=
    2;
  const last = run[run.length - 1];
  const windowed = last ? run.filter(([t]) => t >= last[0] - o.windowMs) : [];
  const pts = subsample(windowed, MAX_POINTS);
  const first = pts[0];
  if (!first || !last || pts.length < o.minPoints || last[0] - first[0] < o.minSpanMs) {
    return {
      growthPerMinute: null,
      trend: "insufficient",
      kendallTau: null,
      usedPoints: pts.length,
      windowStartMs: first?.[0] ?? null,
    };
  }
  // A flat window (most containers, most of the time) has every slope 0 and no concordant pair: skip the O(n^2) pass.
  const v0 = first[1];
  if (pts.every(([, v]) => v === v0)) {
    return { growthPerMinute: 0, trend: "flat", kendallTau: 0, usedPoints: pts.length, windowStartMs: first[0] };
  }
  const n = pts.length;
  const ts = Float64Array.from(pts, (p) => p[0]);
  const vs = Float64Array.from(pts, (p) => p[1]);
  const slopes = new Float64Array((n * (n - 1)) / 2);
  let count = 0;
  let concordant = 0;
  let discordant = 0;
  for (let i = 0; i < n; i++) {
    const ti = ts[i] as number;
    const vi = vs[i] as number;
    for (let j = i + 1; j < n; j++) {
      const tj = ts[j] as number;
      if (tj === ti) continue;
      const vj = vs[j] as number;
      slopes[count++] = (vj - vi) / (tj - ti);
      if (vj > vi) concordant++;
      else if (vj < vi) discordant++;
    }
  }
  const pairs = (pts.length * (pts.length - 1)) / 2;
  const tau = (concordant - discordant) / pairs;
  const perMinute = median(slopes.subarray(0, count)) * 60_000;
  let trend: Trend;
  if (perMinute === 0 || concordant + discordant === 0) trend = "flat";
  else if (cyclic) trend = "cyclic";
  else if (Math.abs(tau) < o.minTau) trend = "no-trend";
  else trend = perMinute > 0 && tau > 0 ? "growing" : perMinute < 0 && tau < 0 ? "shrinking" : "no-trend";
  return { growthPerMinute: perMinute, trend, kendallTau: tau, usedPoints: pts.length, windowStartMs: first[0] };
}

/** Seconds until the headroom at the deciding level is used up; only for a steady upward trend. */
export function etaSeconds(f: Forecast, headroom: number | null): number | null {
  if (f.trend !== "growing" || f.growthPerMinute === null || f.growthPerMinute <= 0 || headroom === null) return null;
  return Math.max(0, (headroom / f.growthPerMinute) * 60);
}

/** How long a forecast is reused between passes: the 10-minute window moves 2.5% in that time. */
export const FORECAST_REFRESH_MS = 15_000;

/** What the last full forecast of a container was computed from, so the next passes can reuse it. */
export interface ForecastMemo {
  atMs: number;
  firstMs: number;
  lastReset: number;
  lastValue: number;
  result: Forecast;
}

/**
 * The forecast of a container's series, recomputed at most every `refreshMs` (the O(n^2) slopes were the sampler's
 * largest CPU cost at 1 s sampling) but at once whenever the answer can change in kind: no forecast yet, a restart or
 * a deep drop (the window restarts), older points seeded from the store, or a flat series that moved. In between, the
 * slope is at most `refreshMs` old on a 10-minute window; the ETA still follows the live headroom on every pass.
 */
export function memoForecast(
  points: readonly [number, number][],
  resetAtMs: readonly number[],
  nowMs: number,
  memo: ForecastMemo | undefined,
  refreshMs = FORECAST_REFRESH_MS,
): { forecast: Forecast; memo: ForecastMemo | undefined } {
  const last = points[points.length - 1];
  const prev = points[points.length - 2];
  const first = points[0];
  if (!last || !first) return { forecast: forecast(points, resetAtMs), memo: undefined };
  const lastReset = resetAtMs.length ? Math.max(...resetAtMs) : -Infinity;
  const reusable =
    memo !== undefined &&
    memo.result.trend !== "insufficient" &&
    nowMs - memo.atMs < refreshMs &&
    memo.lastReset === lastReset &&
    first[0] >= memo.firstMs &&
    !(prev && prev[1] > 0 && last[1] < prev[1] * DROP_RESET_RATIO) &&
    !(memo.result.trend === "flat" && last[1] !== memo.lastValue);
  if (reusable) return { forecast: memo.result, memo };
  const result = forecast(points, resetAtMs);
  return { forecast: result, memo: { atMs: nowMs, firstMs: first[0], lastReset, lastValue: last[1], result } };
}
