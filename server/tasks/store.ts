import "server-only";
import { getDb } from "@/server/db";
import { chunks } from "@/server/db/chunks";
import { RANGE_MS, type HistoryRange } from "@/server/schemas/ranges";
import { ensureSeries, pruneEmptySeries } from "@/server/history/series";
import type { TaskTally } from "./events";
import { merge, parseHistogram, percentiles, type Histogram, type Percentiles } from "./histogram";

// Task timings in the store, tiered like the other history (server/history/retention.ts) but kept 7 days: a row per
// task name per flush for an hour, then 1-minute buckets for a day, then 10-minute buckets. Counts add up and
// histograms merge when rows fold, so a percentile over 7 days is as exact as over the last minute.

const TASK_TIERS = [
  { res: 0, keepMs: 3600_000 },
  { res: 60, keepMs: 24 * 3600_000 },
  { res: 600, keepMs: 7 * 24 * 3600_000 },
] as const;

const COUNTS = ["sent", "received", "started", "succeeded", "failed", "retried"] as const;
type Counts = Record<(typeof COUNTS)[number], number>;

interface Row extends Counts {
  series_id: number;
  res: number;
  ts: number;
  runtime_hist: string;
  wait_hist: string;
}

/** Writes what a listener counted since the last flush: one raw row per task name, and the queues it was seen on. */
export async function recordTaskTallies(broker: string, tallies: Map<string, TaskTally>, now = Date.now()) {
  if (tallies.size === 0) return;
  const db = await getDb();
  const ids = await ensureSeries(
    "task",
    broker,
    [...tallies.keys()].map((name) => ({ key: name, name })),
    now,
  );
  const rows: Row[] = [];
  const queues: { broker: string; task: string; queue: string; last_seen: number }[] = [];
  for (const [name, t] of tallies) {
    const seriesId = ids.get(name);
    if (seriesId === undefined) continue;
    rows.push({
      series_id: seriesId,
      res: 0,
      ts: now,
      sent: t.sent,
      received: t.received,
      started: t.started,
      succeeded: t.succeeded,
      failed: t.failed,
      retried: t.retried,
      runtime_hist: JSON.stringify(t.runtime),
      wait_hist: JSON.stringify(t.wait),
    });
    for (const queue of t.queues) queues.push({ broker, task: name, queue, last_seen: now });
  }
  for (const chunk of chunks(rows))
    await db
      .insertInto("task_points")
      .values(chunk)
      .onConflict((oc) => oc.doNothing())
      .execute();
  for (const chunk of chunks(queues))
    await db
      .insertInto("task_queues")
      .values(chunk)
      .onConflict((oc) => oc.columns(["broker", "queue", "task"]).doUpdateSet({ last_seen: now }))
      .execute();
}

function fold(into: Row, from: Row): Row {
  for (const c of COUNTS) into[c] += from[c];
  into.runtime_hist = JSON.stringify(merge(parseHistogram(into.runtime_hist), parseHistogram(from.runtime_hist)));
  into.wait_hist = JSON.stringify(merge(parseHistogram(into.wait_hist), parseHistogram(from.wait_hist)));
  return into;
}

/** Folds rows that aged out of a tier into the next one (adding to a bucket that exists), then drops the oldest. */
export async function compactTaskPoints(now = Date.now()): Promise<void> {
  const db = await getDb();
  for (let i = 0; i < TASK_TIERS.length - 1; i++) {
    const from = TASK_TIERS[i]!;
    const to = TASK_TIERS[i + 1]!;
    const cutoff = now - from.keepMs;
    const bucketMs = to.res * 1000;
    await db.transaction().execute(async (tx) => {
      const old = await tx
        .selectFrom("task_points")
        .selectAll()
        .where("res", "=", from.res)
        .where("ts", "<", cutoff)
        .execute();
      if (old.length === 0) return;
      const buckets = new Map<string, Row>();
      for (const r of old) {
        const ts = Math.floor(Number(r.ts) / bucketMs) * bucketMs;
        const k = `${r.series_id}:${ts}`;
        const b = buckets.get(k);
        const row = { ...r, ts, res: to.res };
        buckets.set(k, b ? fold(b, row) : row);
      }
      for (const b of buckets.values()) {
        const existing = await tx
          .selectFrom("task_points")
          .selectAll()
          .where("series_id", "=", b.series_id)
          .where("res", "=", to.res)
          .where("ts", "=", b.ts)
          .executeTakeFirst();
        const row = existing ? fold({ ...existing, ts: Number(existing.ts) }, b) : b;
        if (existing)
          await tx
            .deleteFrom("task_points")
            .where("series_id", "=", b.series_id)
            .where("res", "=", to.res)
            .where("ts", "=", b.ts)
            .execute();
        await tx.insertInto("task_points").values(row).execute();
      }
      await tx.deleteFrom("task_points").where("res", "=", from.res).where("ts", "<", cutoff).execute();
    });
  }
  const last = TASK_TIERS[TASK_TIERS.length - 1]!;
  const dropped = await db
    .deleteFrom("task_points")
    .where("res", "=", last.res)
    .where("ts", "<", now - last.keepMs)
    .executeTakeFirst();
  await db
    .deleteFrom("task_queues")
    .where("last_seen", "<", now - last.keepMs)
    .execute();
  if (Number(dropped.numDeletedRows ?? 0) > 0) await pruneEmptySeries("task");
}

export interface TaskStats extends Counts {
  name: string;
  queues: string[];
  runtime: Percentiles;
  wait: Percentiles;
}

/** Every task name of a broker seen in the range (only those seen on `queue` when given), with its percentiles. */
export async function taskStats(
  broker: string,
  range: HistoryRange,
  opts: { queue?: string; task?: string } = {},
  now = Date.now(),
): Promise<TaskStats[]> {
  const db = await getDb();
  const queueRows = await db.selectFrom("task_queues").select(["task", "queue"]).where("broker", "=", broker).execute();
  const queuesOf = new Map<string, string[]>();
  for (const r of queueRows) queuesOf.set(r.task, [...(queuesOf.get(r.task) ?? []), r.queue]);
  let series = db.selectFrom("series").select(["id", "key"]).where("kind", "=", "task").where("scope", "=", broker);
  if (opts.task !== undefined) series = series.where("key", "=", opts.task);
  const found = (await series.execute()).filter(
    (s) => opts.queue === undefined || (queuesOf.get(s.key) ?? []).includes(opts.queue),
  );
  if (found.length === 0) return [];
  const rows = await db
    .selectFrom("task_points")
    .selectAll()
    .where(
      "series_id",
      "in",
      found.map((s) => s.id),
    )
    .where("ts", ">=", now - RANGE_MS[range])
    .execute();
  const acc = new Map<number, Counts & { runtime: Histogram; wait: Histogram }>();
  for (const r of rows) {
    let a = acc.get(r.series_id);
    if (!a)
      acc.set(
        r.series_id,
        (a = { sent: 0, received: 0, started: 0, succeeded: 0, failed: 0, retried: 0, runtime: {}, wait: {} }),
      );
    for (const c of COUNTS) a[c] += r[c];
    merge(a.runtime, parseHistogram(r.runtime_hist));
    merge(a.wait, parseHistogram(r.wait_hist));
  }
  return found
    .filter((s) => acc.has(s.id))
    .map((s) => {
      const a = acc.get(s.id)!;
      const { runtime, wait, ...counts } = a;
      return {
        name: s.key,
        queues: (queuesOf.get(s.key) ?? []).sort(),
        ...counts,
        runtime: percentiles(runtime),
        wait: percentiles(wait),
      };
    })
    .sort((x, y) => y.started - x.started || x.name.localeCompare(y.name));
}
