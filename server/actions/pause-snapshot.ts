import "server-only";
import { publish, snapshot } from "@/server/live";
import { log } from "@/server/log";
import type { QueuesResponse, WorkersResponse } from "@/server/schemas/api";
import { queueStatus } from "@/server/celery/rates";
import type { BrokerSummary, QueuePause, QueueStatus, QueueSummary } from "@/server/schemas/queues";
import { listPauses } from "./pauses";

// Paused queues in the live snapshots: every queue row carries its pause (or none), and the workers snapshot lists
// the pauses, so the pages, /metrics and the alert rules read them without asking the store.

/** The broker's queue rows with `paused` set from the store's records (and removed where the queue was resumed). */
export function withPauses(b: BrokerSummary, pauses: readonly QueuePause[]): BrokerSummary {
  const mine = new Map(pauses.filter((p) => p.broker === b.name).map((p) => [p.queue, p]));
  return {
    ...b,
    queues: b.queues.map((q) => {
      const { paused: _old, ...rest } = q;
      const p = mine.get(q.name);
      return p ? { ...rest, status: pausedStatus(q), paused: p } : rest;
    }),
  };
}

/**
 * Nobody consumes a paused queue on purpose: not "critical" for that alone. By depth against its threshold as if
 * consumed, and never "ok": "warn" while messages wait, "idle" when empty.
 */
function pausedStatus(q: QueueSummary): QueueStatus {
  const s = queueStatus({ depth: q.depth, threshold: q.threshold, hasConsumer: true, orphaned: q.orphaned });
  return s === "ok" ? (q.depth > 0 ? "warn" : "idle") : s;
}

/** The store's pauses, or null when the store cannot be read (the snapshot then keeps what it showed). */
export async function readPauses(): Promise<QueuePause[] | null> {
  try {
    return await listPauses();
  } catch (e) {
    log.warn({ err: e }, "could not read paused queues");
    return null;
  }
}

/** Re-reads the pauses and republishes the snapshots at once (after a pause or resume, not at the next pass). */
export async function refreshPauses(): Promise<void> {
  const pauses = await readPauses();
  if (!pauses) return;
  const queues = snapshot<QueuesResponse>("queues");
  if (queues) publish("queues", { brokers: queues.brokers.map((b) => withPauses(b, pauses)) } satisfies QueuesResponse);
  const workers = snapshot<WorkersResponse>("workers");
  if (workers) publish("workers", { ...workers, paused: pauses } satisfies WorkersResponse);
}
