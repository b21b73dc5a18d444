// The pure parts of the time-series chart, tested in chart-parts.test.ts: where marker labels go so they do not
// overlap, which sample each legend entry shows when the cursor is away, how the y axis writes its numbers, and how
// the viewer's time zone is named.

/** Index of the newest non-null value of each series (x at 0 is skipped: uPlot wants null for it). */
export function lastIndexes(data: readonly ArrayLike<number | null | undefined>[]): (number | null)[] {
  return Array.from(data, (ys, s) => {
    if (s === 0) return null;
    for (let i = ys.length - 1; i >= 0; i--) if (ys[i] !== null && ys[i] !== undefined) return i;
    return null;
  });
}

/**
 * The label row of each marker (sorted by x): a label goes to the first row whose previous label ends left of it,
 * so "raise" and "revert" a few seconds apart stack instead of printing over each other. Rows past `maxRows` reuse
 * the last row.
 */
export function markerRows(xs: readonly number[], widths: readonly number[], gap: number, maxRows: number): number[] {
  const rowEnds: number[] = [];
  return xs.map((x, i) => {
    let row = rowEnds.findIndex((end) => x >= end + gap);
    if (row === -1) row = rowEnds.length < maxRows ? rowEnds.length : maxRows - 1;
    rowEnds[row] = Math.max(rowEnds[row] ?? -Infinity, x + widths[i]!);
    return row;
  });
}

/** Axis numbers: 950, 1.2k, 30k, 1.5M (no decimals where they say nothing). */
export function compactNumber(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e6) return `${trim(n / 1e6)}M`;
  if (a >= 1e4) return `${Math.round(n / 1e3)}k`;
  if (a >= 1e3) return `${trim(n / 1e3)}k`;
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

function trim(v: number): string {
  return v.toFixed(1).replace(/\.0$/, "");
}

/** "Europe/Berlin, UTC+01:00" for the zone the chart's times are drawn in. */
export function zoneName(timeZone: string, offsetMinutes: number): string {
  const sign = offsetMinutes >= 0 ? "+" : "-";
  const a = Math.abs(offsetMinutes);
  const hh = String(Math.floor(a / 60)).padStart(2, "0");
  const mm = String(a % 60).padStart(2, "0");
  return `${timeZone}, UTC${sign}${hh}:${mm}`;
}
