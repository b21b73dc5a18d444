// A day of 5-second pids samples for one real container, written into the console's own SQLite history so the
// detail page's 24 h range serves them through the real API. Raw (res 0) rows are what the console keeps for the
// newest hour only: compaction folds older ones every 5 minutes, so the caller seeds right before measuring.
import path from "node:path";
import Database from "better-sqlite3";

export const DAY_POINTS = 17_280;
const STEP_MS = 5000;

export interface SyntheticPoint {
  ts: number;
  current: number;
  limit: number;
  effectiveLimit: number;
  res: number;
}

/** A leak that is restarted every hour: a sawtooth climbing toward the limit, one point per 5 s. */
export function dayOfPoints(endMs: number, limit: number, count = DAY_POINTS): SyntheticPoint[] {
  const start = endMs - count * STEP_MS;
  return Array.from({ length: count }, (_, i) => ({
    ts: start + i * STEP_MS,
    current: 20 + Math.floor((i % 720) * 0.6) + (i % 7),
    limit,
    effectiveLimit: limit,
    res: 0,
  }));
}

/** Where the container's real samples begin: the seeded day ends there (call before the first seeding). */
export function firstRealSampleMs(dataDir: string, host: string, id: string): number {
  const db = new Database(path.join(dataDir, "leakwatch.sqlite"), { readonly: true });
  try {
    db.pragma("busy_timeout = 5000");
    const row = db
      .prepare(
        `select min(p.ts) as ts from container_points p join series s on s.id = p.series_id
       where s.kind = 'container' and s.scope = ? and s.key = ? and p.res = 0`,
      )
      .get(host, id) as { ts: number | null };
    return row.ts ?? Date.now();
  } finally {
    db.close();
  }
}

/**
 * Inserts the day ending at `endMs` (where the real samples begin; the server keeps writing those), so the page
 * shows a day of 5-second points followed by the live tail. Returns how many rows it wrote or rewrote.
 */
export function seedContainerDay(
  dataDir: string,
  host: string,
  id: string,
  name: string,
  limit: number,
  endMs: number,
): number {
  const db = new Database(path.join(dataDir, "leakwatch.sqlite"));
  try {
    db.pragma("busy_timeout = 5000");
    // A minute of slack: the page asks for "the last 24 h" a few seconds after this runs.
    const points = dayOfPoints(endMs, limit).filter((p) => p.ts > Date.now() - 24 * 3600_000 + 60_000);
    db.prepare("insert or ignore into series (kind, scope, key, name) values ('container', ?, ?, ?)").run(
      host,
      id,
      name,
    );
    const { id: seriesId } = db
      .prepare("select id from series where kind = 'container' and scope = ? and key = ?")
      .get(host, id) as { id: number };
    const insert = db.prepare(
      `insert or ignore into container_points (series_id, res, ts, pids_current, pids_limit, effective_limit, refused_total)
       values (?, 0, ?, ?, ?, ?, 0)`,
    );
    db.transaction(() => {
      for (const p of points) insert.run(seriesId, p.ts, p.current, p.limit, p.effectiveLimit);
    })();
    return points.length;
  } finally {
    db.close();
  }
}
