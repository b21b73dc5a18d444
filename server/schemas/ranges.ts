// History ranges of the detail pages' charts: a preset trailing now (?range=1h|24h|7d), or a custom window
// (?from=…&to=…, ISO 8601 or epoch milliseconds) as Grafana has it. The browser and the API parse the URL with the same
// function, so a link that one accepts the other reads the same way. Tested in ranges.test.ts.

export type HistoryRange = "1h" | "24h" | "7d";

export const HISTORY_RANGES: readonly HistoryRange[] = ["1h", "24h", "7d"];

export const RANGE_MS: Record<HistoryRange, number> = { "1h": 3_600_000, "24h": 86_400_000, "7d": 604_800_000 };

/** How far back stored history reaches (the last tier of server/history/retention.ts). */
export const HISTORY_KEEP_MS = 8 * 86_400_000;

/** The shortest custom window: a minute holds a dozen 5-second samples. */
export const MIN_CUSTOM_MS = 60_000;

/** How far past the clock a custom end may lie (browser and server clocks differ a little). */
const FUTURE_SLACK_MS = 60_000;

export type ChartRange = { kind: "preset"; range: HistoryRange } | { kind: "custom"; fromMs: number; toMs: number };

export const DEFAULT_RANGE: ChartRange = { kind: "preset", range: "1h" };

export type RangeParse = { ok: true; range: ChartRange } | { ok: false; error: string };

/** "2026-12-03T15:04:05Z" or "1733238245000" to epoch ms; null when it is neither. */
export function parseInstant(raw: string): number | null {
  const v = raw.trim();
  if (/^\d{1,16}$/.test(v)) return Number(v);
  // A date-time, not a bare date or a loose string Date.parse would guess at.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v)) return null;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? null : ms;
}

/** The instant as the URL carries it: ISO 8601 in UTC, to the second. */
export function instantParam(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * Checks a custom window against the stored history; `nowMs` null skips the checks that need the clock. A page that
 * reads its URL with the clock of when it opened passes `futureSlackMs` Infinity: a window ending now is not future.
 */
export function checkWindow(
  fromMs: number,
  toMs: number,
  nowMs: number | null,
  futureSlackMs = FUTURE_SLACK_MS,
): string | null {
  if (fromMs >= toMs) return "From must be before To.";
  if (toMs - fromMs < MIN_CUSTOM_MS) return "The range must span at least a minute.";
  if (nowMs === null) return null;
  if (toMs > nowMs + futureSlackMs) return "To lies in the future: history ends now.";
  if (fromMs < nowMs - HISTORY_KEEP_MS)
    return `History is kept for ${HISTORY_KEEP_MS / 86_400_000} days: From must be after ${instantParam(nowMs - HISTORY_KEEP_MS)}.`;
  return null;
}

interface RangeParams {
  get(name: string): string | null;
}

/**
 * Reads ?range= or ?from=&to= (a custom window wins). No parameter is the 1h default; anything malformed is an
 * error that says what is wrong, never a silent fallback.
 */
export function parseChartRange(params: RangeParams, nowMs: number | null, futureSlackMs?: number): RangeParse {
  const from = params.get("from");
  const to = params.get("to");
  if (from !== null || to !== null) {
    if (!from || !to) return { ok: false, error: "A custom range needs both from and to." };
    const fromMs = parseInstant(from);
    const toMs = parseInstant(to);
    if (fromMs === null) return { ok: false, error: `from "${from.slice(0, 40)}" is not a date-time or epoch ms.` };
    if (toMs === null) return { ok: false, error: `to "${to.slice(0, 40)}" is not a date-time or epoch ms.` };
    const error = checkWindow(fromMs, toMs, nowMs, futureSlackMs);
    return error ? { ok: false, error } : { ok: true, range: { kind: "custom", fromMs, toMs } };
  }
  const r = params.get("range") ?? "1h";
  const preset = HISTORY_RANGES.find((x) => x === r);
  return preset
    ? { ok: true, range: { kind: "preset", range: preset } }
    : { ok: false, error: `range must be one of ${HISTORY_RANGES.join(", ")}.` };
}

/** The query string the API and the page's URL carry for a range (the 1h default as ?range=1h for the API). */
export function rangeQuery(r: ChartRange | HistoryRange): string {
  if (typeof r === "string") return `range=${r}`;
  return r.kind === "preset"
    ? `range=${r.range}`
    : `from=${encodeURIComponent(instantParam(r.fromMs))}&to=${encodeURIComponent(instantParam(r.toMs))}`;
}

/** A preset name ("1h") as the range it stands for. */
export function asChartRange(r: ChartRange | HistoryRange): ChartRange {
  return typeof r === "string" ? { kind: "preset", range: r } : r;
}

/** A cache key that tells ranges apart. */
export function rangeKey(r: ChartRange | HistoryRange): string {
  const c = asChartRange(r);
  return c.kind === "preset" ? c.range : `${c.fromMs}-${c.toMs}`;
}

export function rangeSpanMs(r: ChartRange | HistoryRange): number {
  if (typeof r === "string") return RANGE_MS[r];
  return r.kind === "preset" ? RANGE_MS[r.range] : r.toMs - r.fromMs;
}

/** The stored rows a range reads: a preset trails `nowMs`, a custom window is fixed. */
export function rangeWindow(r: ChartRange | HistoryRange, nowMs: number): { fromMs: number; toMs: number } {
  if (typeof r !== "string" && r.kind === "custom") return { fromMs: r.fromMs, toMs: r.toMs };
  return { fromMs: nowMs - rangeSpanMs(r), toMs: nowMs };
}

/**
 * "1h", or a custom window in UTC ("2026-12-03 15:00 to 16:30 UTC"): the same text on the server and in the browser
 * (it goes into aria labels that hydrate); the picker shows the window in local time.
 */
export function rangeLabel(range: ChartRange | HistoryRange): string {
  const r = asChartRange(range);
  if (r.kind === "preset") return r.range;
  const from = instantParam(r.fromMs).replace("T", " ").slice(0, 16);
  const to = instantParam(r.toMs).replace("T", " ").slice(0, 16);
  return `${from} to ${to.slice(0, 10) === from.slice(0, 10) ? to.slice(11) : to} UTC`;
}

/** An instant as a datetime-local input wants it ("2026-12-03T16:05"), in the viewer's zone. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** A datetime-local input's value (local time, no zone) to epoch ms; null when empty or malformed. */
export function fromLocalInput(value: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as number[];
  const date = new Date(y!, mo! - 1, d!, h!, mi!, s ?? 0);
  // new Date rolls 2026-02-31 over into March: refuse what is not a real day.
  return date.getMonth() === mo! - 1 && date.getDate() === d! ? date.getTime() : null;
}

/**
 * A drag on a chart as a custom window the API accepts: at least a minute (widened around its middle), not past now
 * (a drag over the projection ends at now) and not before the stored history.
 */
export function zoomWindow(fromMs: number, toMs: number, nowMs: number): ChartRange {
  let from = Math.min(fromMs, toMs);
  let to = Math.min(Math.max(fromMs, toMs), nowMs);
  if (to - from < MIN_CUSTOM_MS) {
    const mid = (from + to) / 2;
    from = mid - MIN_CUSTOM_MS / 2;
    to = mid + MIN_CUSTOM_MS / 2;
  }
  if (to > nowMs) [from, to] = [from - (to - nowMs), nowMs];
  from = Math.max(from, nowMs - HISTORY_KEEP_MS);
  // Whole seconds: the URL carries seconds, and a round trip must give the same window.
  return { kind: "custom", fromMs: Math.floor(from / 1000) * 1000, toMs: Math.ceil(to / 1000) * 1000 };
}
