import "server-only";
import { getDb } from "@/server/db";
import type { BrokerSummary } from "@/server/schemas/queues";
import { chunks } from "@/server/db/chunks";
import { RANGES, type RangeName } from "./retention";
import { ensureSeries, findSeries } from "./series";

export interface QueuePoint {
  ts: number;
  depth: number;
  unacked: number;
  orphaned: number;
  rateIn: number | null;
  rateOut: number | null;
  res: number;
}

export async function recordQueueSamples(broker: BrokerSummary): Promise<void> {
  if (!broker.ok || broker.queues.length === 0 || !broker.sampledAt) return;
  const db = await getDb();
  const ts = broker.sampledAt;
  const ids = await ensureSeries(
    "queue",
    broker.name,
    broker.queues.map((q) => ({ key: q.name, name: q.name })),
  );
  const rows = broker.queues.flatMap((q) => {
    const seriesId = ids.get(q.name);
    return seriesId === undefined
      ? []
      : [
          {
            series_id: seriesId,
            res: 0,
            ts,
            depth: q.depth,
            unacked: q.unacked,
            orphaned: q.orphaned,
            rate_in: q.ratePerMinuteIn,
            rate_out: q.ratePerMinuteOut,
          },
        ];
  });
  for (const chunk of chunks(rows))
    await db
      .insertInto("queue_points")
      .values(chunk)
      .onConflict((oc) => oc.doNothing())
      .execute();
}

export async function queueHistory(
  broker: string,
  queue: string,
  range: RangeName,
  now = Date.now(),
): Promise<QueuePoint[]> {
  const seriesId = await findSeries("queue", broker, queue);
  if (seriesId === null) return [];
  const db = await getDb();
  const rows = await db
    .selectFrom("queue_points")
    .selectAll()
    .where("series_id", "=", seriesId)
    .where("ts", ">=", now - RANGES[range])
    .orderBy("ts")
    .execute();
  const byTs = new Map<number, QueuePoint>();
  for (const r of rows) {
    const ts = Number(r.ts);
    const prev = byTs.get(ts);
    if (!prev || r.res < prev.res)
      byTs.set(ts, {
        ts,
        depth: r.depth,
        unacked: r.unacked,
        orphaned: r.orphaned,
        rateIn: r.rate_in,
        rateOut: r.rate_out,
        res: r.res,
      });
  }
  return [...byTs.values()].sort((a, b) => a.ts - b.ts);
}

/** Last hour of depth per queue of a broker, for sparklines on the overview (one query, not one per queue). */
export async function recentDepths(broker: string, sinceMs: number): Promise<Map<string, [number, number][]>> {
  const db = await getDb();
  const rows = await db
    .selectFrom("queue_points")
    .innerJoin("series", "series.id", "queue_points.series_id")
    .select(["series.key as queue", "queue_points.ts", "queue_points.depth"])
    .where("series.kind", "=", "queue")
    .where("series.scope", "=", broker)
    .where("queue_points.res", "=", 0)
    .where("queue_points.ts", ">=", sinceMs)
    .orderBy("queue_points.ts")
    .execute();
  const out = new Map<string, [number, number][]>();
  for (const r of rows) {
    const list = out.get(r.queue) ?? [];
    list.push([Number(r.ts), r.depth]);
    out.set(r.queue, list);
  }
  return out;
}
