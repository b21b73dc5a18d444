// Builds the SVG polyline for a sparkline: pure so it is cheap to memoize and easy to test.

export interface SparkGeometry {
  points: string;
  lastX: number;
  lastY: number;
}

/**
 * Scales [ts, value] pairs into a width x height box (y grows downward in SVG). The y range starts
 * at 0 when all values are non-negative, so a flat high line does not look like a spike.
 * Returns null when there is nothing to draw.
 */
export function sparkPoints(
  trail: readonly (readonly [number, number])[],
  width: number,
  height: number,
  pad = 1,
): SparkGeometry | null {
  const pts = trail.filter(([t, v]) => Number.isFinite(t) && Number.isFinite(v));
  if (pts.length === 0) return null;
  let t0 = Infinity,
    t1 = -Infinity,
    lo = Infinity,
    hi = -Infinity;
  for (const [t, v] of pts) {
    if (t < t0) t0 = t;
    if (t > t1) t1 = t;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo >= 0) lo = 0;
  const spanT = t1 - t0 || 1;
  const spanV = hi - lo || 1;
  const w = width - 2 * pad;
  const h = height - 2 * pad;
  const coords = pts.map(([t, v]) => {
    const x = pts.length === 1 ? width - pad : pad + ((t - t0) / spanT) * w;
    const y = pad + h - ((v - lo) / spanV) * h;
    return [round(x), round(y)] as const;
  });
  const last = coords[coords.length - 1]!;
  return { points: coords.map(([x, y]) => `${x},${y}`).join(" "), lastX: last[0], lastY: last[1] };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** True when two trails would draw the same line: same length and same first and last points. */
export function sameTrail(
  a: readonly (readonly [number, number])[] | undefined,
  b: readonly (readonly [number, number])[] | undefined,
): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  if (a.length === 0) return true;
  const [af, al, bf, bl] = [a[0]!, a[a.length - 1]!, b[0]!, b[b.length - 1]!];
  return af[0] === bf[0] && af[1] === bf[1] && al[0] === bl[0] && al[1] === bl[1];
}
