import "server-only";
import { sql } from "kysely";
import { getDb } from "@/server/db";

// Tiered history: raw samples for the last hour, 1-minute buckets for a day, 10-minute buckets for 8 days.
// Bounded rows per series: 720 raw (5 s) + 1,440 + 1,152, whatever the uptime.
export const TIERS = [
  { res: 0, keepMs: 3600_000 },
  { res: 60, keepMs: 24 * 3600_000 },
  { res: 600, keepMs: 8 * 24 * 3600_000 },
] as const;

type Table = "container_samples" | "queue_samples";

const KEYS: Record<Table, string[]> = { container_samples: ["host", "container_id"], queue_samples: ["broker", "queue"] };
// How each value column folds into a bucket: the worst case matters to on-call (max use, min limit).
const FOLDS: Record<Table, [string, string][]> = {
  container_samples: [["name", "max"], ["pids_current", "max"], ["pids_limit", "min"], ["effective_limit", "min"], ["refused_total", "max"]],
  queue_samples: [["depth", "max"], ["unacked", "max"], ["orphaned", "max"], ["rate_in", "avg"], ["rate_out", "avg"]],
};

/** Folds rows that aged out of a tier into the next one, then drops what is past the last tier. */
export async function compact(table: Table, now = Date.now()): Promise<void> {
  const db = await getDb();
  const keys = KEYS[table].join(", ");
  const cols = FOLDS[table].map(([c]) => c).join(", ");
  const folded = FOLDS[table].map(([c, f]) => `${f}(${c})`).join(", ");
  for (let i = 0; i < TIERS.length - 1; i++) {
    const from = TIERS[i]!;
    const to = TIERS[i + 1]!;
    const cutoff = now - from.keepMs;
    const bucketMs = to.res * 1000;
    await sql.raw(
      `insert into ${table} (${keys}, res, ts, ${cols})
       select ${keys}, ${to.res}, (ts / ${bucketMs}) * ${bucketMs}, ${folded}
       from ${table} where res = ${from.res} and ts < ${cutoff}
       group by ${keys}, (ts / ${bucketMs}) * ${bucketMs}
       on conflict do nothing`,
    ).execute(db);
    await db.deleteFrom(table).where("res", "=", from.res).where("ts", "<", cutoff).execute();
  }
  const last = TIERS[TIERS.length - 1]!;
  await db.deleteFrom(table).where("res", "=", last.res).where("ts", "<", now - last.keepMs).execute();
}

export const RANGES = { "1h": 3600_000, "24h": 24 * 3600_000, "7d": 7 * 24 * 3600_000 } as const;
export type RangeName = keyof typeof RANGES;

/** Insert in chunks: SQLite caps bound variables per statement. */
export function chunks<T>(rows: T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}
