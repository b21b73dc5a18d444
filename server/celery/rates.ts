import "server-only";
import type { QueueStatus } from "@/server/schemas/queues";

// Rates between two successive samples, kept simple and honest:
// - out: tasks the workers ACCEPTED between the samples, as they count them themselves: Celery's stats.total is
//   worker_state.total_count, raised in task_accepted (celery/worker/state.py) when a request starts to run, not
//   when it completes (or succeeds). Attributed to a queue when the worker consumes only that queue or when the
//   task name was seen in that queue's messages. A queue whose consumers accepted tasks we cannot attribute gets null.
// - in = depth delta + out (every message either still waits or was taken), clamped at 0.
// - drain = depth / (out - in) when the queue shrinks, else null.

export interface OutInput {
  /** hostname -> stats.total now and at the previous sample */
  totalsNow: Map<string, Record<string, number>>;
  totalsPrev: Map<string, Record<string, number>>;
  /** queue -> consuming hostnames */
  consumersByQueue: Map<string, string[]>;
  /** task name -> queue it was seen in */
  taskQueues: Map<string, string>;
}

/** Completed tasks per queue since the previous sample; a queue maps to null when not attributable. */
export function acceptedByQueue(x: OutInput): Map<string, number | null> {
  const out = new Map<string, number | null>();
  const queuesOf = new Map<string, string[]>();
  for (const [q, hosts] of x.consumersByQueue) {
    if (!out.has(q)) out.set(q, 0);
    for (const h of hosts) queuesOf.set(h, [...(queuesOf.get(h) ?? []), q]);
  }
  const spoil = (queues: string[]) => queues.forEach((q) => out.set(q, null));
  for (const [host, queues] of queuesOf) {
    const now = x.totalsNow.get(host);
    const prev = x.totalsPrev.get(host);
    if (!now || !prev) {
      spoil(queues); // new worker or no stats: no baseline
      continue;
    }
    for (const [task, n] of Object.entries(now)) {
      const delta = n - (prev[task] ?? 0);
      if (delta < 0) {
        spoil(queues); // counters went back: the worker restarted
        break;
      }
      if (delta === 0) continue;
      const target = queues.length === 1 ? queues[0] : queues.find((q) => x.taskQueues.get(task) === q);
      if (target === undefined) spoil(queues);
      else if (out.get(target) !== null) out.set(target, (out.get(target) ?? 0) + delta);
    }
  }
  return out;
}

export interface QueueRates {
  ratePerMinuteIn: number | null;
  ratePerMinuteOut: number | null;
  drainSeconds: number | null;
}

export function queueRates(
  depthNow: number,
  depthPrev: number | undefined,
  completed: number | null | undefined,
  elapsedMs: number,
): QueueRates {
  if (depthPrev === undefined || completed === undefined || completed === null || elapsedMs <= 0)
    return { ratePerMinuteIn: null, ratePerMinuteOut: null, drainSeconds: depthNow === 0 ? 0 : null };
  const minutes = elapsedMs / 60_000;
  const outPerMin = completed / minutes;
  const inPerMin = Math.max(0, (depthNow - depthPrev + completed) / minutes);
  const netOut = outPerMin - inPerMin;
  return {
    ratePerMinuteIn: round(inPerMin),
    ratePerMinuteOut: round(outPerMin),
    drainSeconds: depthNow === 0 ? 0 : netOut > 0 ? Math.round((depthNow / netOut) * 60) : null,
  };
}

const round = (n: number) => Math.round(n * 100) / 100;

export function queueStatus(x: {
  depth: number;
  threshold: number;
  hasConsumer: boolean | null;
  orphaned: number;
}): QueueStatus {
  if (x.depth > 2 * x.threshold) return "critical";
  // hasConsumer null: the workers could not be asked, so "nobody consumes" is unknown.
  if (x.depth > 0 && x.hasConsumer === false) return "critical";
  if (x.depth > x.threshold || x.orphaned > 0) return "warn";
  // Messages waiting while nobody can say who consumes them: not "ok" beside "consumers: none".
  if (x.depth > 0 && x.hasConsumer === null) return "unknown";
  // Empty and unconsumed: nothing is wrong yet, but nothing is served either.
  if (x.hasConsumer !== true) return "idle";
  return "ok";
}
