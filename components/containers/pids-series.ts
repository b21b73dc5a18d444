// Builds the pids chart's columns: stored history, plus live samples from the SSE cache, plus a
// dashed projection from the last sample toward the effective limit.
import type { AlignedData } from "uplot";
import type { PidsPoint } from "@/server/schemas/api";
import type { ChartMarker } from "@/components/charts/time-series";
import { changeLabel } from "@/lib/change-label";
import type { ContainerChange, ContainerEvent, ContainerSummary } from "@/server/schemas/containers";

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

/**
 * History first; tail points only where they are newer than the last stored one; clipped to the range: the last
 * `rangeMs` before the newest point, or a fixed custom window (live points past its end stay out).
 */
export function mergeHistory(
  history: readonly PidsPoint[],
  tail: readonly PidsPoint[],
  range: number | { fromMs: number; toMs: number },
): PidsPoint[] {
  const lastStored = history.length ? history[history.length - 1]!.ts : -Infinity;
  const merged = [...history, ...tail.filter((p) => p.ts > lastStored)];
  if (typeof range !== "number") return merged.filter((p) => p.ts >= range.fromMs && p.ts <= range.toMs);
  if (merged.length === 0) return merged;
  const cutoff = merged[merged.length - 1]!.ts - range;
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
  raise: "#60a5fa",
  cgroup: "#60a5fa",
  lower: "#f59e0b",
  set: "#60a5fa",
  revert: "#a78bfa",
  keep: "#22c55e",
  signal: "#ef4444",
};

/** The Docker events an audited action causes: its named marker stands for them. */
const CAUSED: Record<string, readonly string[]> = {
  "container.set-pids-limit": ["update"],
  "container.restart": ["kill", "die", "stop", "start", "restart"],
  "container.stop": ["kill", "die", "stop"],
  "container.start": ["start"],
  "container.signal": ["kill"],
};

/** Docker reports an event a little after the call that caused it; the outcome is written after verify. */
const CAUSE_SLACK_MS = 5_000;

/** Docker actions such as "exec_start: sh" are folded to their verb for colour and label. */
const verbOf = (action: string) => action.split(/[:\s]/)[0] ?? action;

/**
 * The chart's markers: audited changes named as people say them ("raise to 2,000 for 15m", "revert to 1,200 (time
 * box)", "restart"), and the Docker events no audited change explains (an OOM kill, a restart from outside, a
 * `docker update` by hand), by their verb. Sorted by time.
 */
export function eventMarkers(
  events: readonly ContainerEvent[],
  changes: readonly ContainerChange[],
  fromMs: number,
  toMs = Infinity,
): ChartMarker[] {
  const inWindow = (ts: number) => ts >= fromMs && ts <= toMs;
  const named = changes.flatMap((c) => {
    const label = changeLabel(c);
    return label !== null && inWindow(c.ts) ? [{ c, label }] : [];
  });
  const explained = (e: ContainerEvent) =>
    named.some(
      ({ c }) =>
        CAUSED[c.action]?.includes(verbOf(e.action)) &&
        e.ts >= c.ts - 1_000 &&
        e.ts <= (c.endTs ?? c.ts) + CAUSE_SLACK_MS,
    );
  const docker = events
    .filter((e) => inWindow(e.ts) && !explained(e))
    .map((e) => {
      const verb = verbOf(e.action);
      return { tsMs: e.ts, label: verb, color: EVENT_COLORS[verb] ?? "#a1a1aa" };
    });
  const audited = named.map(({ c, label }) => ({
    tsMs: c.ts,
    label,
    color: EVENT_COLORS[label.split(" ")[0]!] ?? "#a1a1aa",
  }));
  return [...docker, ...audited].sort((a, b) => a.tsMs - b.tsMs);
}
