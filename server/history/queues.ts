import "server-only";
import { getDb } from "@/server/db";
import type { BrokerSummary } from "@/server/schemas/queues";
import { chunks } from "@/server/db/chunks";
import { rangeWindow, type ChartRange, type HistoryRange } from "@/server/schemas/ranges";
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
  range: HistoryRange | ChartRange,
  now = Date.now(),
): Promise<QueuePoint[]> {
  const seriesId = await findSeries("queue", broker, queue);
  if (seriesId === null) return [];
  const db = await getDb();
  const { fromMs, toMs } = rangeWindow(range, now);
  const rows = await db
    .selectFrom("queue_points")
    .selectAll()
    .where("series_id", "=", seriesId)
    .where("ts", ">=", fromMs)
    .where("ts", "<=", toMs)
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
