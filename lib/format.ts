// Formatting shared by pages: numbers, durations, ages. Pure and tested.

// One formatter for every call: `toLocaleString` builds a new Intl.NumberFormat each time (~0.2 ms in Chromium),
// which was the largest single script cost of scrolling the 1,000-row fleet table. Same output.
const INT = new Intl.NumberFormat("en-US");

export function fmtInt(n: number | null | undefined): string {
  return n === null || n === undefined ? "—" : INT.format(Math.round(n));
}

export function fmtDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  const s = Math.max(0, Math.round(seconds));
  if (s < 90) return `${s}s`;
  if (s < 5400) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${(s / 3600).toFixed(1)}h`;
  return `${(s / 86400).toFixed(1)}d`;
}

export function fmtAge(ts: number | null | undefined, now = Date.now()): string {
  if (!ts) return "never";
  return `${fmtDuration((now - ts) / 1000)} ago`;
}

export function fmtPercent(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return "—";
  return `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`;
}

export function fmtRate(perMinute: number | null | undefined): string {
  if (perMinute === null || perMinute === undefined || !Number.isFinite(perMinute)) return "—";
  const sign = perMinute > 0 ? "+" : "";
  return `${sign}${Math.abs(perMinute) < 10 ? perMinute.toFixed(1) : Math.round(perMinute)}/min`;
}

/** How long something has lasted since ts ("firing for 7m"), unlike fmtAge's "7m ago". */
export function fmtSince(ts: number | null | undefined, now = Date.now()): string {
  return ts ? fmtDuration((now - ts) / 1000) : "—";
}

/**
 * A count with its noun agreeing: "1 worker", "3 workers", "1,200 messages". `many` is for nouns that do not take
 * an s ("1 entry", "2 entries").
 */
export function plural(n: number | null | undefined, one: string, many = `${one}s`): string {
  return `${fmtInt(n)} ${n === 1 ? one : many}`;
}

/**
 * One time format for every page: the viewer's local time with its zone ("14:05:12 CET"), with the day in front when
 * it is not today ("2 Dec 14:05:12 CET"). `timeZone` is for tests; pages use the browser's zone.
 */
export function fmtClock(ts: number | string | Date, now = Date.now(), timeZone?: string): string {
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return String(ts);
  const day = (x: Date) => x.toLocaleDateString("en-GB", { timeZone, year: "numeric", month: "short", day: "numeric" });
  const time = d.toLocaleTimeString("en-GB", {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    timeZoneName: "short",
  });
  if (day(d) === day(new Date(now))) return time;
  const sameYear =
    d.toLocaleDateString("en-GB", { timeZone, year: "numeric" }) ===
    new Date(now).toLocaleDateString("en-GB", { timeZone, year: "numeric" });
  const date = d.toLocaleDateString("en-GB", {
    timeZone,
    day: "numeric",
    month: "short",
    ...(sameYear ? {} : { year: "numeric" }),
  });
  return `${date} ${time}`;
}

/** The exact instant for a tooltip: "2026-12-03 14:05:12 UTC". */
export function fmtUtc(ts: number | string | Date): string {
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? String(ts) : `${d.toISOString().replace("T", " ").slice(0, 19)} UTC`;
}

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** "90s", "15m", "2h", "7d", "1.5h" or a bare number of seconds, as people write durations; null if not one. */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhd])?\s*$/i.exec(text);
  if (!m) return null;
  const unit = (m[2]?.toLowerCase() ?? "s") as keyof typeof UNIT_SECONDS;
  return Math.round(Number(m[1]) * UNIT_SECONDS[unit]);
}

/** Seconds written in the largest unit that divides them exactly: 900 -> "15m", 86400 -> "1d", 90 -> "90s". */
export function fmtDurationInput(seconds: number): string {
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3600],
    ["m", 60],
  ] as const)
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  return `${seconds}s`;
}

/** The pattern an <input> holds a duration to (the browser refuses anything else before a request is made). */
export const DURATION_PATTERN = String.raw`\s*\d+(\.\d+)?\s*[smhdSMHD]?\s*`;

/** A task latency: milliseconds below a second ("240 ms"), seconds with two decimals below a minute ("1.25 s"). */
export function fmtLatency(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(2)} s`;
  return fmtDuration(seconds);
}
