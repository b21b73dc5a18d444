import "server-only";
import type { Kysely } from "kysely";
import { getDb } from "@/server/db";
import type { Database } from "@/server/db/schema";
import { chunks } from "@/server/db/chunks";

// History rows carry a small integer series id; this maps (kind, scope, key) to it. Ids are cached per database
// (tests and the bench switch databases in one process) and re-read after an hour, so a series that retention
// removed (no points for 8 days) is never written to under a stale id.

export type SeriesKind = "container" | "queue" | "task";
export interface SeriesRef {
  key: string;
  name: string;
}

const TTL_MS = 3600_000;
interface Cached {
  id: number;
  name: string;
  at: number;
}
const caches = new WeakMap<Kysely<Database>, Map<string, Cached>>();
const cacheFor = (db: Kysely<Database>) => {
  let c = caches.get(db);
  if (!c) caches.set(db, (c = new Map()));
  return c;
};
const ck = (kind: SeriesKind, scope: string, key: string) => `${kind}\n${scope}\n${key}`;

/** The ids of these series, creating the missing ones; a container whose name changed gets the new name. */
export async function ensureSeries(
  kind: SeriesKind,
  scope: string,
  refs: SeriesRef[],
  now = Date.now(),
): Promise<Map<string, number>> {
  const db = await getDb();
  const cache = cacheFor(db);
  const out = new Map<string, number>();
  const missing: SeriesRef[] = [];
  const renamed: SeriesRef[] = [];
  for (const r of refs) {
    const hit = cache.get(ck(kind, scope, r.key));
    if (!hit || now - hit.at > TTL_MS) missing.push(r);
    else {
      out.set(r.key, hit.id);
      if (hit.name !== r.name) renamed.push(r);
    }
  }
  if (missing.length > 0) {
    for (const chunk of chunks(missing)) {
      await db
        .insertInto("series")
        .values(chunk.map((r) => ({ kind, scope, key: r.key, name: r.name })))
        .onConflict((oc) => oc.columns(["kind", "scope", "key"]).doNothing())
        .execute();
      const rows = await db
        .selectFrom("series")
        .select(["id", "key", "name"])
        .where("kind", "=", kind)
        .where("scope", "=", scope)
        .where(
          "key",
          "in",
          chunk.map((r) => r.key),
        )
        .execute();
      for (const row of rows) {
        cache.set(ck(kind, scope, row.key), { id: row.id, name: row.name, at: now });
        out.set(row.key, row.id);
      }
    }
    for (const r of missing) if (cache.get(ck(kind, scope, r.key))?.name !== r.name) renamed.push(r);
  }
  for (const r of renamed) {
    await db
      .updateTable("series")
      .set({ name: r.name })
      .where("kind", "=", kind)
      .where("scope", "=", scope)
      .where("key", "=", r.key)
      .execute();
    const hit = cache.get(ck(kind, scope, r.key));
    if (hit) hit.name = r.name;
  }
  return out;
}

/** The id of one series, or null when it has no history. Reads never create series. */
export async function findSeries(kind: SeriesKind, scope: string, key: string): Promise<number | null> {
  const db = await getDb();
  const row = await db
    .selectFrom("series")
    .select("id")
    .where("kind", "=", kind)
    .where("scope", "=", scope)
    .where("key", "=", key)
    .executeTakeFirst();
  return row?.id ?? null;
}

/** Removes series left without any point (retention dropped their last one), and forgets the cached ids. */
export async function pruneEmptySeries(kind: SeriesKind): Promise<void> {
  const db = await getDb();
  const points = kind === "container" ? "container_points" : kind === "queue" ? "queue_points" : "task_points";
  await db
    .deleteFrom("series")
    .where("kind", "=", kind)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom(points).select("series_id").whereRef(`${points}.series_id`, "=", "series.id"))),
    )
    .execute();
  cacheFor(db).clear();
}
