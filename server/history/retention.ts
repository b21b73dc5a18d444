import "server-only";
import { sql } from "kysely";
import { getDb } from "@/server/db";
import { HISTORY_KEEP_MS } from "@/server/schemas/ranges";
import { pruneEmptySeries } from "./series";

// Tiered history: raw samples for the last hour, 1-minute buckets for a day, 10-minute buckets for 8 days.
// Bounded rows per series: 720 raw (5 s) + 1,440 + 1,152, whatever the uptime.
export const TIERS = [
  { res: 0, keepMs: 3600_000 },
  { res: 60, keepMs: 24 * 3600_000 },
  // The last tier is what a custom chart range may reach back to (server/schemas/ranges.ts).
  { res: 600, keepMs: HISTORY_KEEP_MS },
] as const;

export type HistoryTable = "container_points" | "queue_points";

// How each value column folds into a bucket: the worst case matters to on-call (max use, min limit).
const FOLDS: Record<HistoryTable, [string, string][]> = {
  container_points: [
    ["pids_current", "max"],
    ["pids_limit", "min"],
    ["effective_limit", "min"],
    ["refused_total", "max"],
  ],
  queue_points: [
    ["depth", "max"],
    ["unacked", "max"],
    ["orphaned", "max"],
    ["rate_in", "avg"],
    ["rate_out", "avg"],
  ],
};

/** Folds rows that aged out of a tier into the next one, then drops what is past the last tier. */
export async function compact(table: HistoryTable, now = Date.now()): Promise<void> {
  const db = await getDb();
  const kind = table === "container_points" ? "container" : "queue";
  // Every query walks the primary key (series_id, res, ts) series by series: no second index on (res, ts), which
  // would cost about a fifth of the file.
  const ofKind = `series_id in (select id from series where kind = '${kind}')`;
  const cols = FOLDS[table].map(([c]) => c).join(", ");
  const folded = FOLDS[table].map(([c, f]) => `${f}(${c})`).join(", ");
  for (let i = 0; i < TIERS.length - 1; i++) {
    const from = TIERS[i]!;
    const to = TIERS[i + 1]!;
    const cutoff = now - from.keepMs;
    const bucketMs = to.res * 1000;
    await sql
      .raw(
        `insert into ${table} (series_id, res, ts, ${cols})
       select series_id, ${to.res}, (ts / ${bucketMs}) * ${bucketMs}, ${folded}
       from ${table} where ${ofKind} and res = ${from.res} and ts < ${cutoff}
       group by series_id, (ts / ${bucketMs}) * ${bucketMs}
       on conflict do nothing`,
      )
      .execute(db);
    await sql.raw(`delete from ${table} where ${ofKind} and res = ${from.res} and ts < ${cutoff}`).execute(db);
  }
  const last = TIERS[TIERS.length - 1]!;
  const dropped = await sql
    .raw(`delete from ${table} where ${ofKind} and res = ${last.res} and ts < ${now - last.keepMs}`)
    .execute(db);
  // A series whose last point just aged out (a container removed 8 days ago) goes too.
  if (Number(dropped.numAffectedRows ?? 0) > 0) await pruneEmptySeries(kind);
}
