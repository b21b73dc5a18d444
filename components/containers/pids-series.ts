// Builds the pids chart's columns: stored history, plus live samples from the SSE cache, plus a
// dashed projection from the last sample toward the effective limit.
import type { AlignedData } from "uplot";
import type { PidsPoint } from "@/server/schemas/api";
import type { ContainerEvent, ContainerSummary } from "@/server/schemas/containers";

const TAIL_KEEP_MS = 7 * 86_400_000;

/**
 * Appends the live summary's newer samples (its spark trail, then the sample itself) to a tail of
 * points. Returns the same array when nothing is newer, so callers can skip a state update.
 */
export function appendLive(tail: readonly PidsPoint[], live: ContainerSummary): readonly PidsPoint[] {
  const lastTs = tail.length ? tail[tail.length - 1]!.ts : -Infinity;
  const { limit, effectiveLimit } = live.pids;
  const add: PidsPoint[] = [];
  for (const [ts, current] of live.spark) {
    if (ts > lastTs && ts < live.sampledAt && (add.length === 0 || ts > add[add.length - 1]!.ts))
      add.push({ ts, current, limit, effectiveLimit, res: 0 });
  }
  if (live.sampledAt > lastTs)
    add.push({ ts: live.sampledAt, current: live.pids.current, limit, effectiveLimit, res: 0 });
  if (add.length === 0) return tail;
  const merged = [...tail, ...add];
  const cutoff = merged[merged.length - 1]!.ts - TAIL_KEEP_MS;
  return merged[0]!.ts < cutoff ? merged.filter((p) => p.ts >= cutoff) : merged;
}

/** History first; tail points only where they are newer than the last stored one; clipped to the range. */
export function mergeHistory(history: readonly PidsPoint[], tail: readonly PidsPoint[], rangeMs: number): PidsPoint[] {
  const lastStored = history.length ? history[history.length - 1]!.ts : -Infinity;
  const merged = [...history, ...tail.filter((p) => p.ts > lastStored)];
  if (merged.length === 0) return merged;
  const cutoff = merged[merged.length - 1]!.ts - rangeMs;
  return merged[0]!.ts < cutoff ? merged.filter((p) => p.ts >= cutoff) : merged;
}

export interface Projection {
  etaSeconds: number | null;
  growthPerMinute: number | null;
  horizonMs: number;
}

export interface PidsColumns {
  data: AlignedData;
  /** The container's own limit differs from the effective one somewhere in the range. */
  showOwnLimit: boolean;
  /** Where the projection ends: at the limit when the ETA is within the horizon, else at the horizon. */
  projectionEnd: { tsMs: number; value: number; reachesLimit: boolean } | null;
}

export function buildPidsColumns(points: readonly PidsPoint[], p: Projection): PidsColumns {
  const showOwnLimit = points.some((pt) => pt.limit !== null && pt.limit !== pt.effectiveLimit);
  const x: number[] = [],
    current: (number | null)[] = [],
    effective: (number | null)[] = [],
    own: (number | null)[] = [],
    projection: (number | null)[] = [];
  for (const pt of points) {
    x.push(pt.ts / 1000);
    current.push(pt.current);
    effective.push(pt.effectiveLimit);
    own.push(pt.limit);
    projection.push(null);
  }
  const projectionEnd = project(points, p);
  if (projectionEnd) {
    const last = points[points.length - 1]!;
    projection[projection.length - 1] = last.current;
    x.push(projectionEnd.tsMs / 1000);
    current.push(null);
    effective.push(last.effectiveLimit);
    own.push(last.limit);
    projection.push(projectionEnd.value);
  }
  const data = (
    showOwnLimit ? [x, current, effective, own, projection] : [x, current, effective, projection]
  ) as AlignedData;
  return { data, showOwnLimit, projectionEnd };
}

function project(points: readonly PidsPoint[], p: Projection): PidsColumns["projectionEnd"] {
  const last = points[points.length - 1];
  if (!last || last.current === null || !p.growthPerMinute || p.growthPerMinute <= 0) return null;
  const perMs = p.growthPerMinute / 60_000;
  // The server's ETA counts down to the deciding limit, which is the kernel's when no cgroup caps the container
  // (effectiveLimit null): then the line still goes up, with no limit drawn to meet.
  const etaMs =
    p.etaSeconds !== null
      ? p.etaSeconds * 1000
      : last.effectiveLimit !== null
        ? (last.effectiveLimit - last.current) / perMs
        : Infinity;
  if (Number.isNaN(etaMs) || etaMs < 0) return null;
  if (etaMs <= p.horizonMs)
    return { tsMs: last.ts + etaMs, value: last.effectiveLimit ?? last.current + perMs * etaMs, reachesLimit: true };
  return { tsMs: last.ts + p.horizonMs, value: last.current + perMs * p.horizonMs, reachesLimit: false };
}

const EVENT_COLORS: Record<string, string> = {
  die: "#ef4444",
  oom: "#ef4444",
  kill: "#ef4444",
  restart: "#f59e0b",
  start: "#22c55e",
  stop: "#a1a1aa",
  update: "#60a5fa",
};

/** Docker actions such as "exec_start: sh" are folded to their verb for colour and label. */
export function eventMarkers(events: readonly ContainerEvent[], fromMs: number) {
  return events
    .filter((e) => e.ts >= fromMs)
    .map((e) => {
      const verb = e.action.split(/[:\s]/)[0] ?? e.action;
      return { tsMs: e.ts, label: verb, color: EVENT_COLORS[verb] ?? "#a1a1aa" };
    });
}
