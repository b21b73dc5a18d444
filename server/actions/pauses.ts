import "server-only";
import { getDb } from "@/server/db";
import type { QueuePause } from "@/server/schemas/queues";

// The console's record of paused queues: one row per paused queue, written by queue.pause, extended by the
// enforcement pass when another worker is told to stop consuming it, and deleted by queue.resume (the audit log
// keeps the history). Kept in the store, so a console restart still knows what is paused and keeps it paused.

type Row = {
  broker: string;
  queue: string;
  paused_by: string;
  paused_at: number;
  reason: string;
  audit_id: string;
  workers: string;
};

function toPause(r: Row): QueuePause {
  const workers = JSON.parse(r.workers) as unknown;
  return {
    broker: r.broker,
    queue: r.queue,
    by: r.paused_by,
    since: Number(r.paused_at),
    reason: r.reason,
    auditId: r.audit_id,
    workers: Array.isArray(workers) ? workers.filter((w): w is string => typeof w === "string") : [],
  };
}

/** Records a pause; false when the queue is paused already (the first pause stands). */
export async function recordPause(p: QueuePause): Promise<boolean> {
  const db = await getDb();
  const r = await db
    .insertInto("queue_pauses")
    .values({
      broker: p.broker,
      queue: p.queue,
      paused_by: p.by,
      paused_at: p.since,
      reason: p.reason,
      audit_id: p.auditId,
      workers: JSON.stringify([...new Set(p.workers)].sort()),
    })
    .onConflict((oc) => oc.columns(["broker", "queue"]).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function getPause(broker: string, queue: string): Promise<QueuePause | null> {
  const db = await getDb();
  const r = await db
    .selectFrom("queue_pauses")
    .selectAll()
    .where("broker", "=", broker)
    .where("queue", "=", queue)
    .executeTakeFirst();
  return r ? toPause(r) : null;
}

export async function listPauses(broker?: string): Promise<QueuePause[]> {
  const db = await getDb();
  let q = db.selectFrom("queue_pauses").selectAll();
  if (broker !== undefined) q = q.where("broker", "=", broker);
  const rows = await q.orderBy("paused_at", "asc").execute();
  return rows.map(toPause);
}

/** Adds hostnames to a pause's worker list (a worker told to cancel_consumer by enforcement); false when not paused. */
export async function addPausedWorkers(broker: string, queue: string, hostnames: string[]): Promise<boolean> {
  const db = await getDb();
  // Read and write in one transaction, so a resume in between is not undone by a re-inserted row.
  return db.transaction().execute(async (tx) => {
    const r = await tx
      .selectFrom("queue_pauses")
      .select("workers")
      .where("broker", "=", broker)
      .where("queue", "=", queue)
      .executeTakeFirst();
    if (!r) return false;
    const before = JSON.parse(r.workers) as string[];
    const workers = JSON.stringify([...new Set([...before, ...hostnames])].sort());
    await tx
      .updateTable("queue_pauses")
      .set({ workers })
      .where("broker", "=", broker)
      .where("queue", "=", queue)
      .execute();
    return true;
  });
}

/** Deletes the pause record; the paused state as it was (null when the queue was not paused). */
export async function clearPause(broker: string, queue: string): Promise<QueuePause | null> {
  const db = await getDb();
  return db.transaction().execute(async (tx) => {
    const r = await tx
      .selectFrom("queue_pauses")
      .selectAll()
      .where("broker", "=", broker)
      .where("queue", "=", queue)
      .executeTakeFirst();
    if (!r) return null;
    await tx.deleteFrom("queue_pauses").where("broker", "=", broker).where("queue", "=", queue).execute();
    return toPause(r);
  });
}
