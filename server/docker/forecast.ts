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
const DEFAULTS = { windowMs: 10 * 60_000, minPoints: 6, minSpanMs: FORECAST_MIN_SPAN_MS, minTau: 0.6, cycleLookbackMs: 60 * 60_000 };
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

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function subsample<T>(xs: T[], max: number): T[] {
  if (xs.length <= max) return xs;
  const step = (xs.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => xs[Math.round(i * step)] as T);
}

export function forecast(points: readonly [number, number][], resetAtMs: readonly number[] = [], opts: ForecastOptions = {}): Forecast {
  const o = { ...DEFAULTS, ...opts };
  const sorted = [...points].sort((a, b) => a[0] - b[0]);
  const run = currentRun(sorted, resetAtMs);
  // Two or more deep drops with no restart event between them is a pool that fills and empties (a deep sawtooth),
  // not a restarted leak: the latest rising edge must not be extrapolated.
  const lastReset = resetAtMs.length ? Math.max(...resetAtMs) : -Infinity;
  const cyclic = drops(sorted.filter(([t]) => t >= lastReset && t >= (run[run.length - 1]?.[0] ?? 0) - o.cycleLookbackMs)).length >= 2;
  const last = run[run.length - 1];
  const windowed = last ? run.filter(([t]) => t >= last[0] - o.windowMs) : [];
  const pts = subsample(windowed, MAX_POINTS);
  const first = pts[0];
  if (!first || !last || pts.length < o.minPoints || last[0] - first[0] < o.minSpanMs) {
    return { growthPerMinute: null, trend: "insufficient", kendallTau: null, usedPoints: pts.length, windowStartMs: first?.[0] ?? null };
  }
  const slopes: number[] = [];
  let concordant = 0;
  let discordant = 0;
  for (let i = 0; i < pts.length; i++) {
    for (let j = i + 1; j < pts.length; j++) {
      const [ti, vi] = pts[i] as [number, number];
      const [tj, vj] = pts[j] as [number, number];
      if (tj === ti) continue;
      slopes.push((vj - vi) / (tj - ti));
      if (vj > vi) concordant++;
      else if (vj < vi) discordant++;
    }
  }
  const pairs = (pts.length * (pts.length - 1)) / 2;
  const tau = (concordant - discordant) / pairs;
  const perMinute = median(slopes) * 60_000;
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
