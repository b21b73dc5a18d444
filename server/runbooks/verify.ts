import "server-only";
import type { VerifyStatus } from "./types";

// Pure: the Verify step's pass/fail against a stated criterion, over the samples since the last mitigation.
// Thread leak: under N% of the effective limit and not rising for M minutes. Queue backlog: depth falling (or
// drained) and at least one consumer for M minutes.

export interface PidsSample {
  ts: number;
  current: number | null;
  effectiveLimit: number | null;
}
export interface DepthSample {
  ts: number;
  depth: number;
}

const mins = (m: number) => `${Number.isInteger(m) ? m : m.toFixed(2)} min`;

/** Rising = the newest value exceeds every value of the window's first half (by more than `tolerance`). */
function rising(values: number[], tolerance: number): boolean {
  if (values.length < 2) return false;
  const half = values.slice(0, Math.max(1, Math.floor(values.length / 2)));
  return values[values.length - 1]! > Math.max(...half) + tolerance;
}

function window<T extends { ts: number }>(points: T[], lastActionAt: number | null, minutes: number, now: number) {
  if (lastActionAt === null) return null;
  const spanMs = minutes * 60_000;
  const watchedMs = now - lastActionAt;
  const windowStart = Math.max(lastActionAt, now - spanMs);
  return { watchedMs, spanMs, windowStart, inWindow: points.filter((p) => p.ts >= windowStart && p.ts <= now) };
}

export function verifyThreadLeak(
  points: PidsSample[],
  lastActionAt: number | null,
  now: number,
  o: { sharePercent: number; minutes: number },
): VerifyStatus {
  const criterion = `pids under ${o.sharePercent}% of the effective limit and not rising for ${mins(o.minutes)} after the last mitigation`;
  const w = window(points, lastActionAt, o.minutes, now);
  if (!w)
    return { state: "no-action", criterion, detail: "No mitigation recorded yet.", lastActionAt, windowStart: null };
  const shares = w.inWindow
    .filter((p) => p.current !== null && p.effectiveLimit)
    .map((p) => (p.current! / p.effectiveLimit!) * 100);
  const values = w.inWindow.filter((p) => p.current !== null).map((p) => p.current!);
  const worst = shares.length ? Math.max(...shares) : null;
  const now$ = shares.length
    ? `now ${shares[shares.length - 1]!.toFixed(0)}%, worst ${worst!.toFixed(0)}% in the window`
    : "no samples in the window yet";
  const base = { criterion, lastActionAt, windowStart: w.windowStart };
  const problem =
    worst !== null && worst >= o.sharePercent
      ? `Above ${o.sharePercent}%: ${now$}.`
      : rising(values, 1)
        ? `Still rising: ${values[0]} -> ${values[values.length - 1]} pids (${now$}).`
        : null;
  // Inside the window nothing is final: a restart's climb back to baseline looks like growth for a moment.
  if (w.watchedMs < w.spanMs || values.length < 2) {
    const left = Math.max(0, Math.ceil((w.spanMs - w.watchedMs) / 1000));
    return { ...base, state: "waiting", detail: `Watching: ${problem ?? now$}; ${left} s to go.` };
  }
  if (problem) return { ...base, state: "fail", detail: problem };
  return { ...base, state: "pass", detail: `Passed: ${now$}; flat at ${values[values.length - 1]} pids.` };
}

export function verifyQueueBacklog(
  points: DepthSample[],
  consumersNow: number,
  lastActionAt: number | null,
  now: number,
  o: { minutes: number },
): VerifyStatus {
  const criterion = `depth falling (or drained) and at least one consumer for ${mins(o.minutes)} after the last mitigation`;
  const w = window(points, lastActionAt, o.minutes, now);
  if (!w)
    return { state: "no-action", criterion, detail: "No mitigation recorded yet.", lastActionAt, windowStart: null };
  const depths = w.inWindow.map((p) => p.depth);
  const base = { criterion, lastActionAt, windowStart: w.windowStart };
  const first = depths[0],
    last = depths[depths.length - 1];
  const shape = first === undefined ? "no samples in the window yet" : `depth ${first} -> ${last}`;
  if (consumersNow === 0) return { ...base, state: "fail", detail: `No consumer (${shape}).` };
  if (
    first !== undefined &&
    last !== undefined &&
    (rising(depths, 0) || (last >= first && last > 0)) &&
    depths.length >= 2
  )
    return { ...base, state: w.watchedMs < w.spanMs ? "waiting" : "fail", detail: `Not draining: ${shape}.` };
  if (w.watchedMs < w.spanMs || depths.length < 2) {
    const left = Math.max(0, Math.ceil((w.spanMs - w.watchedMs) / 1000));
    return { ...base, state: "waiting", detail: `Watching: ${shape}, ${consumersNow} consumer(s); ${left} s to go.` };
  }
  return { ...base, state: "pass", detail: `Passed: ${shape}, ${consumersNow} consumer(s).` };
}
