import "server-only";
import type { ForecastMemo } from "./forecast";
import { processState } from "@/server/process-state";

// Recent pids points per container, kept in memory for the forecast and the sparklines (the database keeps the long
// history). On globalThis so hot reloads and route handlers share one copy with the scheduler.

const KEEP_MS = 60 * 60_000;
const MAX_POINTS = 1_500; // an hour at 2.4 s sampling
const FORGET_AFTER_MS = 2 * KEEP_MS;

export interface RingEntry {
  points: [number, number][];
  /** Times the container (re)started or died: the forecast window starts after the latest. */
  resets: number[];
  lastRefusedTotal: number | null;
  /** When pids.events "max" last rose (or was first seen above 0): refusals are "recent" until a quiet period passes. */
  lastRefusalAt: number | null;
  lastSeenMs: number;
  /** The store's earlier points were asked for (once per container per process). */
  seeded: boolean;
  /** The last full forecast, reused for a few passes (forecast.ts memoForecast). */
  forecastMemo?: ForecastMemo;
}

const ring = () => processState("docker/pids-ring", () => new Map<string, RingEntry>());
const key = (host: string, id: string) => `${host}\n${id}`;

function entry(host: string, id: string, nowMs: number): RingEntry {
  let e = ring().get(key(host, id));
  if (!e) {
    e = { points: [], resets: [], lastRefusedTotal: null, lastRefusalAt: null, lastSeenMs: nowMs, seeded: false };
    ring().set(key(host, id), e);
  }
  return e;
}

export function addPoint(host: string, id: string, tsMs: number, current: number): RingEntry {
  const e = entry(host, id, tsMs);
  e.points.push([tsMs, current]);
  e.lastSeenMs = tsMs;
  const cutoff = tsMs - KEEP_MS;
  const firstKept = e.points.findIndex(([t]) => t >= cutoff);
  if (firstKept > 0) e.points.splice(0, firstKept);
  if (e.points.length > MAX_POINTS) e.points.splice(0, e.points.length - MAX_POINTS);
  e.resets = e.resets.filter((t) => t >= cutoff);
  return e;
}

export function noteReset(host: string, id: string, tsMs: number): void {
  const e = entry(host, id, tsMs);
  if (!e.resets.includes(tsMs)) e.resets.push(tsMs);
}

/** True once per container: the caller should now load its earlier points from the store (seedEntry). */
export function claimSeed(host: string, id: string): boolean {
  const e = ring().get(key(host, id));
  if (!e || e.seeded) return false;
  e.seeded = true;
  return true;
}

/**
 * After a console restart the ring starts empty, and the forecast would stay blank until a minute of new samples
 * exists. This puts back what the store kept from the last hour: points older than the first one in memory, and
 * the restarts among them (the forecast window starts after the latest).
 */
export function seedEntry(
  host: string,
  id: string,
  points: readonly [number, number][],
  resets: readonly number[],
): void {
  const e = ring().get(key(host, id));
  if (!e) return;
  const first = e.points[0]?.[0] ?? Infinity;
  const cutoff = (e.points[e.points.length - 1]?.[0] ?? Date.now()) - KEEP_MS;
  const older = points.filter(([t]) => t < first && t >= cutoff).sort((a, b) => a[0] - b[0]);
  e.points.unshift(...older.map(([t, v]) => [t, v] as [number, number]));
  if (e.points.length > MAX_POINTS) e.points.splice(0, e.points.length - MAX_POINTS);
  for (const r of resets) if (r >= cutoff && !e.resets.includes(r)) e.resets.push(r);
  e.resets.sort((a, b) => a - b);
}

export function getEntry(host: string, id: string): RingEntry | undefined {
  return ring().get(key(host, id));
}

/** Drops containers not seen for a while (removed, or on a host no longer configured). */
export function forgetStale(nowMs: number): void {
  for (const [k, e] of ring()) if (nowMs - e.lastSeenMs > FORGET_AFTER_MS) ring().delete(k);
}

/** At most `max` points, evenly spread, always including the newest. */
export function sparkline(points: readonly [number, number][], max = 60): [number, number][] {
  if (points.length <= max) return points.map((p) => [p[0], p[1]]);
  const step = (points.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => {
    const p = points[Math.round(i * step)] as [number, number];
    return [p[0], p[1]];
  });
}
