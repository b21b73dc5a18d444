import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import BetterSqlite from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, sql, SqliteDialect } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession, readSession } from "@/server/auth/sessions";
import { createUser } from "@/server/auth/users";
import { closeDb, dbDialect, getDb } from "@/server/db";
import { containerHistory, recordContainerSamples } from "@/server/history/containers";
import { tryLease } from "@/server/history/lease";
import { queueHistory, recordQueueSamples } from "@/server/history/queues";
import { migrationProvider } from "@/server/db/migrations";
import { compact } from "@/server/history/retention";
import type { ContainerSummary } from "@/server/schemas/containers";
import type { QueueSummary } from "@/server/schemas/queues";
import { testConfig } from "@/server/testing/console";
import {
  flushSeenMessages,
  forgetSeenIds,
  getSeenMessage,
  noteSeenMessage,
  pruneSeenMessages,
  seenRefs,
} from "@/server/failures/seen";

/** A message captured from a real Celery 5.2 producer (server/celery/__fixtures__/capture.py). */
const celeryFixture = (name: string): string =>
  (
    JSON.parse(readFileSync(new URL(`../server/celery/__fixtures__/${name}.json`, import.meta.url), "utf8")) as {
      raw: string;
    }
  ).raw;

// The same schema, migrations and queries on both stores: the embedded SQLite file (the default) and
// Debian's PostgreSQL (the scaled-out mode). Timestamps are fixed and aligned to bucket edges, so the
// expected buckets do not depend on when the test runs (an earlier version used Date.now() and failed
// a CI run when "two hours ago" fell in the last seconds of a minute).
const PG_URL = process.env.LEAKWATCH_TEST_PG_URL ?? "postgres://leakwatch:leakwatch@127.0.0.1:54329/leakwatch_test";
const NOW = Date.UTC(2026, 10, 23, 12, 0, 0); // on a 10-minute edge
const MIN = 60_000;
const HOUR = 60 * MIN;
const ID = "c".repeat(64);
const LEGACY_ID = "d".repeat(64);

function sample(ts: number, current: number, effectiveLimit = 100): ContainerSummary {
  return {
    host: "local",
    id: ID,
    name: "store-test",
    image: "img",
    state: "running",
    labels: {},
    via: "cgroupfs",
    pids: {
      current,
      limit: 100,
      effectiveLimit,
      limitSource: "container",
      limitPath: "/docker/x",
      peak: null,
      refusedTotal: 0,
    },
    growthPerMinute: null,
    etaSeconds: null,
    learningSeconds: null,
    status: "ok",
    reasons: [],
    refusingNow: false,
    lastRefusalAt: null,
    sampledAt: ts,
    spark: [],
  };
}

function queue(depth: number, rateIn: number | null): QueueSummary {
  return {
    name: "dataset",
    depth,
    byPriority: { "0": depth },
    unacked: 0,
    orphaned: 0,
    consumers: [],
    ratePerMinuteIn: rateIn,
    ratePerMinuteOut: null,
    drainSeconds: null,
    oldestSeenSeconds: null,
    threshold: 100,
    status: "ok",
    origins: ["configured"],
  };
}

const stores: [string, Record<string, string>][] = [
  ["SQLite (embedded)", {}],
  ["PostgreSQL", { LEAKWATCH_DATABASE_URL: PG_URL }],
];

/**
 * A database as the console left it before history got series ids (migration 0003), holding a container's and a
 * queue's rows in the old per-row-key tables. Returns the env that points the console at it.
 */
async function legacyStore(env: Record<string, string>): Promise<Record<string, string>> {
  let db: Kysely<unknown>;
  let out: Record<string, string>;
  if (env.LEAKWATCH_DATABASE_URL) {
    db = new Kysely({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: env.LEAKWATCH_DATABASE_URL, max: 2 }) }),
    });
    // A clean database: drop what an earlier run left.
    await sql`drop schema public cascade`.execute(db);
    await sql`create schema public`.execute(db);
    out = env;
  } else {
    const dir = mkdtempSync(path.join(tmpdir(), "leakwatch-legacy-"));
    db = new Kysely({ dialect: new SqliteDialect({ database: new BetterSqlite(path.join(dir, "leakwatch.sqlite")) }) });
    out = { ...env, LEAKWATCH_DATA_DIR: dir };
  }
  const { error } = await new Migrator({ db, provider: migrationProvider }).migrateTo("0003_alerts_runbooks");
  if (error) throw error;
  await sql`insert into container_samples (host, container_id, res, ts, name, pids_current, pids_limit, effective_limit, refused_total) values
    ('local', ${LEGACY_ID}, 600, ${NOW - 2 * 24 * HOUR}, 'zz-renamed-since', 70, null, 29958, 0),
    ('local', ${LEGACY_ID}, 0, ${NOW - 5000}, 'plugin-daemon', 80, null, 29958, 3)`.execute(db);
  await sql`insert into queue_samples (broker, queue, res, ts, depth, unacked, orphaned, rate_in, rate_out) values
    ('default', 'legacy_queue', 60, ${NOW - 3 * HOUR}, 12, 1, 0, 4.5, null)`.execute(db);
  await db.destroy();
  return out;
}

describe.each(stores)("%s store", (label, env) => {
  beforeAll(async () => {
    await closeDb();
    // The console opens a pre-series database and migrates it: every test below runs on the migrated store.
    testConfig(await legacyStore(env));
  });

  it("carries history over from the per-row-key layout when it migrates", async () => {
    const h = await containerHistory("local", LEGACY_ID, "7d", NOW);
    expect(h.map((p) => [p.ts - NOW, p.res, p.current, p.effectiveLimit])).toEqual([
      [-2 * 24 * HOUR, 600, 70, 29958],
      [-5000, 0, 80, 29958],
    ]);
    const q = await queueHistory("default", "legacy_queue", "24h", NOW);
    expect(q).toMatchObject([{ ts: NOW - 3 * HOUR, res: 60, depth: 12, unacked: 1, rateIn: 4.5, rateOut: null }]);
    const db = await getDb();
    const series = await db.selectFrom("series").select(["kind", "scope", "key", "name"]).orderBy("kind").execute();
    expect(series).toEqual([
      { kind: "container", scope: "local", key: LEGACY_ID, name: "plugin-daemon" },
      { kind: "queue", scope: "default", key: "legacy_queue", name: "legacy_queue" },
    ]);
  });

  afterAll(async () => {
    await closeDb();
  });

  it("migrates and serves users and sessions", async () => {
    expect(dbDialect()).toBe(label === "PostgreSQL" ? "postgres" : "sqlite");
    const user = await createUser({ username: "store-admin", password: "a-long-password-1", role: "admin" });
    const s = await createSession(user.id, "127.0.0.1");
    const read = await readSession(s.token);
    expect(read).toMatchObject({ username: "store-admin", role: "admin", csrfToken: s.csrfToken });
    expect(await readSession("not-a-token")).toBeNull();
  });

  it("folds history into 1-minute and 10-minute buckets keeping the worst case, and drops what is past 8 days", async () => {
    await recordContainerSamples([
      sample(NOW - 9 * 24 * HOUR, 5), // past the last tier: gone
      sample(NOW - 3 * 24 * HOUR + 1000, 20, 90), // 10-minute tier
      sample(NOW - 3 * 24 * HOUR + 7 * MIN, 30, 80), // same 10-minute bucket: max use, min limit
      sample(NOW - 2 * HOUR + 1000, 10), // 1-minute tier
      sample(NOW - 2 * HOUR + 6000, 14), // same minute
      sample(NOW - 2 * HOUR + MIN + 1000, 12), // the next minute
      sample(NOW - 1000, 50), // raw
    ]);
    await compact("container_points", NOW);
    // A compaction that runs again (or on a second instance) changes nothing.
    await compact("container_points", NOW);
    const week = await containerHistory("local", ID, "7d", NOW);
    expect(week.map((p) => [p.ts - NOW, p.res, p.current, p.effectiveLimit])).toEqual([
      [-3 * 24 * HOUR, 600, 30, 80],
      [-2 * HOUR, 60, 14, 100],
      [-2 * HOUR + MIN, 60, 12, 100],
      [-1000, 0, 50, 100],
    ]);
    expect(typeof week[0]!.ts).toBe("number");
    expect(typeof week[0]!.current).toBe("number");
    // The 1h range reads only the raw tier.
    expect((await containerHistory("local", ID, "1h", NOW)).map((p) => p.current)).toEqual([50]);
    // A custom window reads the rows of its span, whatever tier they are in, and nothing after its end.
    const custom = { kind: "custom" as const, fromMs: NOW - 4 * 24 * HOUR, toMs: NOW - HOUR };
    expect((await containerHistory("local", ID, custom, NOW)).map((p) => [p.ts - NOW, p.res])).toEqual([
      [-3 * 24 * HOUR, 600],
      [-2 * HOUR, 60],
      [-2 * HOUR + MIN, 60],
    ]);
  });

  it("forgets a container whose last point is past 8 days, and starts a new series if it comes back", async () => {
    const gone = "e".repeat(64);
    await recordContainerSamples([{ ...sample(NOW - 9 * 24 * HOUR, 7), id: gone, name: "removed-long-ago" }]);
    const db = await getDb();
    const seriesOf = () =>
      db.selectFrom("series").select("id").where("kind", "=", "container").where("key", "=", gone).execute();
    expect(await seriesOf()).toHaveLength(1);
    await compact("container_points", NOW);
    expect(await seriesOf()).toEqual([]);
    expect(await containerHistory("local", gone, "7d", NOW)).toEqual([]);
    // Back again (same id): written under a new series, not lost under the removed one.
    await recordContainerSamples([{ ...sample(NOW - 1000, 9), id: gone, name: "removed-long-ago" }]);
    expect((await containerHistory("local", gone, "1h", NOW)).map((p) => p.current)).toEqual([9]);
  });

  it("averages queue rates and keeps the deepest depth per bucket", async () => {
    const at = (ts: number, depth: number, rateIn: number | null) =>
      recordQueueSamples({ name: "default", ok: true, error: null, sampledAt: ts, queues: [queue(depth, rateIn)] });
    await at(NOW - 2 * HOUR + 1000, 100, 10);
    await at(NOW - 2 * HOUR + 20_000, 400, 30);
    await at(NOW - 2 * HOUR + 40_000, 200, null);
    await compact("queue_points", NOW);
    const h = await queueHistory("default", "dataset", "24h", NOW);
    expect(h).toHaveLength(1);
    const before = { kind: "custom" as const, fromMs: NOW - 4 * HOUR, toMs: NOW - 3 * HOUR };
    expect(await queueHistory("default", "dataset", before, NOW)).toEqual([]);
    expect(h[0]).toMatchObject({ ts: NOW - 2 * HOUR, res: 60, depth: 400, rateIn: 20 });
  });

  it("keeps each seen task message once, and prunes them by age and by count", async () => {
    forgetSeenIds();
    const basic = celeryFixture("message-basic");
    const mail = celeryFixture("message-priority6-unicode");
    const chain = celeryFixture("message-chain");
    noteSeenMessage("default", "dataset", basic, null, NOW - 8 * 24 * HOUR);
    noteSeenMessage("default", "mail", mail, null, NOW - 2 * HOUR);
    noteSeenMessage("default", "dataset", chain, null, NOW - HOUR);
    // Not a Celery protocol 2 task message: not kept.
    noteSeenMessage("default", "mail", celeryFixture("message-protocol1"), null, NOW);
    expect(await flushSeenMessages("default")).toBe(3);
    const mailId = (JSON.parse(mail) as { headers: { id: string } }).headers.id;
    expect(await getSeenMessage("default", mailId)).toEqual({
      broker: "default",
      task_id: mailId,
      task_name: "tasks.mail.send_invite_member_mail_task",
      queue: "mail",
      exchange: "",
      routing_key: "mail",
      priority: 6,
      envelope: mail,
      seen_at: NOW - 2 * HOUR,
    });
    // Seen again after a restart (the ids written are forgotten): the first sighting stays as it was.
    forgetSeenIds();
    noteSeenMessage("default", "elsewhere", mail, null, NOW);
    await flushSeenMessages("default");
    expect(await getSeenMessage("default", mailId)).toMatchObject({ queue: "mail", seen_at: NOW - 2 * HOUR });
    expect([...(await seenRefs("default", [mailId, "no-such-id"])).keys()]).toEqual([mailId]);

    // Past 7 days goes; then only the newest maxRows stay.
    expect(await pruneSeenMessages(NOW, { maxRows: 1 })).toBe(2);
    const db = await getDb();
    const left = await db.selectFrom("seen_messages").select("task_id").execute();
    expect(left.map((r) => r.task_id)).toEqual([(JSON.parse(chain) as { headers: { id: string } }).headers.id]);
  });

  it("gives the history lease to one instance at a time", async () => {
    expect(await tryLease("history-writer", "instance-a", 10_000)).toBe(true);
    expect(await tryLease("history-writer", "instance-b", 10_000)).toBe(false);
    expect(await tryLease("history-writer", "instance-a", 10_000)).toBe(true);
    const db = await getDb();
    await db
      .updateTable("leases")
      .set({ expires_at: Date.now() - 1 })
      .where("name", "=", "history-writer")
      .execute();
    expect(await tryLease("history-writer", "instance-b", 10_000)).toBe(true);
  });
});
