import "server-only";
import { getDb } from "@/server/db";
import type { WorkerSummary } from "@/server/schemas/queues";

// Workers that went away drop out of the live view but stay here: first and last seen, last known shape.
export async function recordWorkersSeen(workers: WorkerSummary[]): Promise<void> {
  const live = workers.filter((w) => w.alive);
  if (live.length === 0) return;
  const db = await getDb();
  for (const w of live) {
    const info = JSON.stringify({ pool: w.pool, concurrency: w.concurrency, queues: w.queues });
    await db
      .insertInto("workers_seen")
      .values({ broker: w.broker, hostname: w.hostname, first_seen: w.lastSeen, last_seen: w.lastSeen, info })
      .onConflict((oc) => oc.columns(["broker", "hostname"]).doUpdateSet({ last_seen: w.lastSeen, info }))
      .execute();
  }
}
