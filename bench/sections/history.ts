// Section 4: the history store after 7 days of uptime with 200 containers and 1,000 queues at the console's tiers
// (server/history/retention.ts): the last hour raw, written pass by pass through the real writers; the 60 s and
// 600 s buckets that compaction would have left bulk-inserted into SQLite. Then file size, compact(), reads.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { parseConfig, setConfigForTests } from "@/server/config";
import { closeDb, getDb } from "@/server/db";
import { containerHistory, recordContainerSamples } from "@/server/history/containers";
import { queueHistory, recordQueueSamples } from "@/server/history/queues";
import { compact, TIERS, type HistoryTable } from "@/server/history/retention";
import type { ContainerSummary } from "@/server/schemas/containers";
import type { BrokerSummary, QueueSummary } from "@/server/schemas/queues";
import { progress, runSection } from "../lib/section";
import { round, summary, timed } from "../lib/stats";

const CONTAINERS = 200;
const QUEUES = 1000;
const UPTIME_MS = 7 * 24 * 3600_000;
const INTERVAL_MS = 5000;
/** Passes written through recordContainerSamples/recordQueueSamples (timed); the rest of the raw hour is bulk. */
const WRITER_PASSES = 120;
const HOST = "local";
const BROKER = "bench";
const say = (m: string) => progress("history", m);

const containerId = (i: number) => i.toString(16).padStart(64, "0");
const queueName = (i: number) => `bench_queue_${String(i).padStart(5, "0")}`;

function containers(ts: number, pass: number): ContainerSummary[] {
  return Array.from({ length: CONTAINERS }, (_, i) => {
    const current = 20 + ((pass + i) % 40);
    return {
      host: HOST,
      id: containerId(i),
      name: `bench-worker-${i}`,
      image: "leakwatch-fixture/leaker:latest",
      state: "running",
      labels: {},
      via: "cgroupfs",
      pids: {
        current,
        limit: 4096,
        effectiveLimit: 4096,
        limitSource: "container",
        limitPath: `/docker/${containerId(i)}`,
        peak: null,
        refusedTotal: 0,
      },
      growthPerMinute: 0,
      etaSeconds: null,
      learningSeconds: null,
      status: "ok",
      reasons: [],
      refusingNow: false,
      lastRefusalAt: null,
      sampledAt: ts,
      spark: [],
    };
  });
}

function broker(ts: number, pass: number): BrokerSummary {
  const queues: QueueSummary[] = Array.from({ length: QUEUES }, (_, i) => ({
    name: queueName(i),
    depth: (pass * 3 + i) % 250,
    byPriority: {},
    unacked: i % 5,
    orphaned: 0,
    consumers: [],
    ratePerMinuteIn: 12,
    ratePerMinuteOut: 11.5,
    drainSeconds: null,
    oldestSeenSeconds: null,
    threshold: 200,
    status: "ok",
    origins: ["configured"],
  }));
  return { name: BROKER, ok: true, error: null, sampledAt: ts, queues };
}

/** Rows of one tier, `count` of them `stepMs` apart back from `newestTs`, for every series (made by the writer passes
 * before); generated inside SQLite. */
async function bulkTier(res: number, stepMs: number, newestTs: number, count: number): Promise<void> {
  const db = await getDb();
  await sql`with recursive t(i) as (select 0 union all select i + 1 from t where i < ${count - 1})
    insert into container_points (series_id, res, ts, pids_current, pids_limit, effective_limit, refused_total)
    select s.id, ${res}, ${newestTs} - t.i * ${stepMs}, 20 + ((t.i + s.id) % 40), 4096, 4096, 0
    from series s cross join t where s.kind = 'container' and s.scope = ${HOST}`.execute(db);
  await sql`with recursive t(i) as (select 0 union all select i + 1 from t where i < ${count - 1})
    insert into queue_points (series_id, res, ts, depth, unacked, orphaned, rate_in, rate_out)
    select s.id, ${res}, ${newestTs} - t.i * ${stepMs}, (t.i * 3 + s.id) % 250, s.id % 5, 0, 12.0, 11.5
    from series s cross join t where s.kind = 'queue' and s.scope = ${BROKER}`.execute(db);
}

async function rowsByTier(table: HistoryTable): Promise<Record<string, number>> {
  const db = await getDb();
  const rows = await db
    .selectFrom(table)
    .select(["res", (eb) => eb.fn.countAll<number>().as("n")])
    .groupBy("res")
    .execute();
  return Object.fromEntries(rows.map((r) => [String(r.res), Number(r.n)]));
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), "leakwatch-bench-history-"));

runSection(
  "history",
  async () => {
    setConfigForTests(parseConfig({ LEAKWATCH_DATA_DIR: dataDir }));
    await getDb();
    const [raw, minute, tenMinutes] = TIERS;
    const now = Math.floor(Date.now() / 600_000) * 600_000;
    // Steady state after UPTIME_MS: each tier holds what is younger than its keepMs and older than the tier before.
    const rawRows = raw.keepMs / INTERVAL_MS;
    const minuteRows = (minute.keepMs - raw.keepMs) / (minute.res * 1000);
    const tenMinuteRows = (Math.min(UPTIME_MS, tenMinutes.keepMs) - minute.keepMs) / (tenMinutes.res * 1000);
    say(
      `per series: ${rawRows} raw + ${minuteRows} x 60 s + ${tenMinuteRows} x 600 s; the newest ${WRITER_PASSES} passes through the writers`,
    );

    const passMs: number[] = [];
    for (let p = 0; p < WRITER_PASSES; p++) {
      const ts = now - (WRITER_PASSES - 1 - p) * INTERVAL_MS;
      const { ms } = await timed(async () => {
        await recordContainerSamples(containers(ts, p));
        await recordQueueSamples(broker(ts, p));
      });
      passMs.push(ms);
      if ((p + 1) % 40 === 0) say(`  ${p + 1}/${WRITER_PASSES} passes`);
    }
    say("bulk-inserting the rest of the raw hour and the 60 s and 600 s buckets");
    const bulk = await timed(async () => {
      await bulkTier(raw.res, INTERVAL_MS, now - WRITER_PASSES * INTERVAL_MS, rawRows - WRITER_PASSES);
      await bulkTier(minute.res, minute.res * 1000, now - raw.keepMs - minute.res * 1000, minuteRows);
      await bulkTier(tenMinutes.res, tenMinutes.res * 1000, now - minute.keepMs - tenMinutes.res * 1000, tenMinuteRows);
    });
    const db = await getDb();
    await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db);
    const file = path.join(dataDir, "leakwatch.sqlite");
    const bytes = statSync(file).size;
    const containerRows = await rowsByTier("container_points");
    const queueRows = await rowsByTier("queue_points");
    const totalRows = [...Object.values(containerRows), ...Object.values(queueRows)].reduce((a, b) => a + b, 0);

    say("reading 7-day histories");
    const readContainer: number[] = [];
    let points = 0;
    for (let i = 0; i < 10; i++) {
      const r = await timed(() => containerHistory(HOST, containerId(i * 13), "7d", now));
      readContainer.push(r.ms);
      points = r.value.length;
    }
    const readQueue: number[] = [];
    for (let i = 0; i < 10; i++)
      readQueue.push((await timed(() => queueHistory(BROKER, queueName(i * 97), "7d", now))).ms);

    // The console compacts every 5 minutes: the realistic run folds the 5 minutes that just aged out of each tier.
    say("compact() as the 5-minute job would run it");
    const compactContainers = await timed(() => compact("container_points", now + 5 * 60_000));
    const compactQueues = await timed(() => compact("queue_points", now + 5 * 60_000));
    await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db);
    say(
      `db ${round(bytes / 1048576)} MiB, compact ${round(compactContainers.ms + compactQueues.ms)} ms, 7-day read ${summary(readContainer).median} ms`,
    );
    return {
      series: { containers: CONTAINERS, queues: QUEUES },
      rowsPerSeries: { raw: rawRows, s60: minuteRows, s600: tenMinuteRows },
      rows: { containers: containerRows, queues: queueRows, total: totalRows },
      writerPasses: WRITER_PASSES,
      writePassMs: summary(passMs),
      bulkInsertMs: round(bulk.ms),
      dbBytes: bytes,
      dbMiB: round(bytes / 1048576),
      bytesPerRow: round(bytes / totalRows),
      compactMs: { containers: round(compactContainers.ms), queues: round(compactQueues.ms) },
      rowsAfterCompact: { containers: await rowsByTier("container_points"), queues: await rowsByTier("queue_points") },
      dbMiBAfterCompact: round(statSync(file).size / 1048576),
      containerHistory7dMs: summary(readContainer),
      containerHistory7dPoints: points,
      queueHistory7dMs: summary(readQueue),
    };
  },
  async () => {
    await closeDb();
    rmSync(dataDir, { recursive: true, force: true });
  },
);
