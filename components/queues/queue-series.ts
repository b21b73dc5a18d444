// Columns for the queue chart: stored history plus live samples from the ["queues"] SSE cache.
import type { AlignedData } from "uplot";
import type { QueuePoint } from "@/server/schemas/api";
import type { QueueSummary } from "@/server/schemas/queues";

const TAIL_KEEP_MS = 7 * 86_400_000;

/** Appends the broker's newest sample when it is newer than the tail; same array otherwise. */
export function appendLiveQueue(
  tail: readonly QueuePoint[],
  q: QueueSummary,
  sampledAt: number | null,
): readonly QueuePoint[] {
  if (sampledAt === null) return tail;
  const lastTs = tail.length ? tail[tail.length - 1]!.ts : -Infinity;
  if (sampledAt <= lastTs) return tail;
  const next = [
    ...tail,
    {
      ts: sampledAt,
      depth: q.depth,
      unacked: q.unacked,
      orphaned: q.orphaned,
      rateIn: q.ratePerMinuteIn,
      rateOut: q.ratePerMinuteOut,
      res: 0,
    },
  ];
  return next[0]!.ts < sampledAt - TAIL_KEEP_MS ? next.filter((p) => p.ts >= sampledAt - TAIL_KEEP_MS) : next;
}

/**
 * x (seconds), depth, unacked, orphaned; live points only after the last stored one, clipped to the range: the last
 * `rangeMs` before the newest point, or a fixed custom window.
 */
export function queueColumns(
  history: readonly QueuePoint[],
  tail: readonly QueuePoint[],
  range: number | { fromMs: number; toMs: number },
): AlignedData {
  const lastStored = history.length ? history[history.length - 1]!.ts : -Infinity;
  const merged = [...history, ...tail.filter((p) => p.ts > lastStored)];
  const cutoff = typeof range !== "number" ? range.fromMs : merged.length ? merged[merged.length - 1]!.ts - range : 0;
  const end = typeof range !== "number" ? range.toMs : Infinity;
  const pts = merged.filter((p) => p.ts >= cutoff && p.ts <= end);
  return [pts.map((p) => p.ts / 1000), pts.map((p) => p.depth), pts.map((p) => p.unacked), pts.map((p) => p.orphaned)];
}
