// Formatting shared by pages: numbers, durations, ages. Pure and tested.

export function fmtInt(n: number | null | undefined): string {
  return n === null || n === undefined ? "—" : Math.round(n).toLocaleString("en-US");
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

/** A task latency: milliseconds below a second ("240 ms"), seconds with two decimals below a minute ("1.25 s"). */
export function fmtLatency(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(2)} s`;
  return fmtDuration(seconds);
}
