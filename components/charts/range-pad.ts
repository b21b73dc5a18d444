// A chart spans the range the operator chose, even when the data is younger: a container that started a minute ago
// shows one minute of line at the right edge of an hour, not an hour-wide minute with second ticks.
import type { AlignedData } from "uplot";

/** Data that starts later than this share of the range after its start counts as younger than the range. */
const YOUNG_SLACK = 0.02;

/**
 * Where the data starts, when that is visibly later than the range's start (`endMs - rangeMs`); null when the data
 * covers the range (or there is none).
 */
export function youngDataSince(firstMs: number | undefined, endMs: number | undefined, rangeMs: number): number | null {
  if (firstMs === undefined || endMs === undefined) return null;
  return firstMs - (endMs - rangeMs) > rangeMs * YOUNG_SLACK ? firstMs : null;
}

/**
 * Prepends x = `fromMs` (in uPlot's seconds) with a gap in every series, so the auto-ranged x scale starts there, and
 * for a custom window appends x = `toMs` too, so the scale ends there. Returns `data` itself when it already spans
 * that far (or holds nothing to span).
 */
export function padToRange(data: AlignedData, fromMs: number, toMs?: number): AlignedData {
  const x = data[0];
  const fromSec = fromMs / 1000;
  const toSec = toMs === undefined ? undefined : toMs / 1000;
  // A custom window without data still spans its window; a trailing range without data has nothing to trail.
  const head = x.length > 0 ? x[0]! > fromSec : toSec !== undefined;
  const tail = toSec !== undefined && (x.length === 0 || x[x.length - 1]! < toSec);
  if (!head && !tail) return data;
  const xs = [...(head ? [fromSec] : []), ...x, ...(tail ? [toSec!] : [])];
  const pad = (ys: ArrayLike<number | null | undefined>) => [
    ...(head ? [null] : []),
    ...Array.from(ys),
    ...(tail ? [null] : []),
  ];
  return [xs, ...data.slice(1).map(pad)] as AlignedData;
}

/** "12:01" in the viewer's time zone, for "data since" notes. */
export function clockTime(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}
