import "server-only";
import { getDb } from "@/server/db";
import type { BrokerSummary } from "@/server/schemas/queues";
import { chunks, RANGES, type RangeName } from "./retention";

export interface QueuePoint { ts: number; depth: number; unacked: number; orphaned: number; rateIn: number | null; rateOut: number | null; res: number }

export async function recordQueueSamples(broker: BrokerSummary): Promise<void> {
  if (!broker.ok || broker.queues.length === 0 || !broker.sampledAt) return;
  const db = await getDb();
  const ts = broker.sampledAt;
  const rows = broker.queues.map((q) => ({
    broker: broker.name, queue: q.name, res: 0, ts, depth: q.depth, unacked: q.unacked, orphaned: q.orphaned,
    rate_in: q.ratePerMinuteIn, rate_out: q.ratePerMinuteOut,
  }));
  for (const chunk of chunks(rows)) await db.insertInto("queue_samples").values(chunk).onConflict((oc) => oc.doNothing()).execute();
}

export async function queueHistory(broker: string, queue: string, range: RangeName, now = Date.now()): Promise<QueuePoint[]> {
  const db = await getDb();
  const rows = await db.selectFrom("queue_samples").selectAll()
    .where("broker", "=", broker).where("queue", "=", queue).where("ts", ">=", now - RANGES[range]).orderBy("ts").execute();
  const byTs = new Map<number, QueuePoint>();
  for (const r of rows) {
    const ts = Number(r.ts);
    const prev = byTs.get(ts);
    if (!prev || r.res < prev.res) byTs.set(ts, { ts, depth: r.depth, unacked: r.unacked, orphaned: r.orphaned, rateIn: r.rate_in, rateOut: r.rate_out, res: r.res });
  }
  return [...byTs.values()].sort((a, b) => a.ts - b.ts);
}

/** Last hour of depth per queue of a broker, for sparklines on the overview (one query, not one per queue). */
export async function recentDepths(broker: string, sinceMs: number): Promise<Map<string, [number, number][]>> {
  const db = await getDb();
  const rows = await db.selectFrom("queue_samples").select(["queue", "ts", "depth"])
    .where("broker", "=", broker).where("res", "=", 0).where("ts", ">=", sinceMs).orderBy("ts").execute();
  const out = new Map<string, [number, number][]>();
  for (const r of rows) {
    const list = out.get(r.queue) ?? [];
    list.push([Number(r.ts), r.depth]);
    out.set(r.queue, list);
  }
  return out;
}
