import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession, readSession } from "@/server/auth/sessions";
import { createUser } from "@/server/auth/users";
import { closeDb, dbDialect, getDb } from "@/server/db";
import { containerHistory, recordContainerSamples } from "@/server/history/containers";
import { tryLease } from "@/server/history/lease";
import { queueHistory, recordQueueSamples } from "@/server/history/queues";
import { compact } from "@/server/history/retention";
import type { ContainerSummary } from "@/server/schemas/containers";
import type { QueueSummary } from "@/server/schemas/queues";
import { testConfig } from "./support/console";

// The same schema, migrations and queries on both stores: the embedded SQLite file (the default) and
// Debian's PostgreSQL (the scaled-out mode). Timestamps are fixed and aligned to bucket edges, so the
// expected buckets do not depend on when the test runs (an earlier version used Date.now() and failed
// a CI run when "two hours ago" fell in the last seconds of a minute).
const PG_URL = process.env.LEAKWATCH_TEST_PG_URL ?? "postgres://leakwatch:leakwatch@127.0.0.1:54329/leakwatch_test";
const NOW = Date.UTC(2026, 10, 23, 12, 0, 0); // on a 10-minute edge
const MIN = 60_000;
const HOUR = 60 * MIN;
const ID = "c".repeat(64);

function sample(ts: number, current: number, effectiveLimit = 100): ContainerSummary {
  return {
    host: "local", id: ID, name: "store-test", image: "img", state: "running", labels: {}, via: "cgroupfs",
    pids: { current, limit: 100, effectiveLimit, limitSource: "container", limitPath: "/docker/x", peak: null, refusedTotal: 0 },
    growthPerMinute: null, etaSeconds: null, status: "ok", reasons: [], refusingNow: false, lastRefusalAt: null, sampledAt: ts, spark: [],
  };
}

function queue(depth: number, rateIn: number | null): QueueSummary {
  return {
    name: "dataset", depth, byPriority: { "0": depth }, unacked: 0, orphaned: 0, consumers: [], ratePerMinuteIn: rateIn,
    ratePerMinuteOut: null, drainSeconds: null, oldestSeenSeconds: null, threshold: 100, status: "ok", origins: ["configured"],
  };
}

const stores: [string, Record<string, string>][] = [
  ["SQLite (embedded)", {}],
  ["PostgreSQL", { LEAKWATCH_DATABASE_URL: PG_URL }],
];

describe.each(stores)("%s store", (label, env) => {
  beforeAll(async () => {
    await closeDb();
    testConfig(env);
    if (env.LEAKWATCH_DATABASE_URL) {
      // A clean database: drop what an earlier run left, then let the migrations build it again.
      const db = await getDb();
      await sql`drop schema public cascade`.execute(db);
      await sql`create schema public`.execute(db);
      await closeDb();
    }
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
    await compact("container_samples", NOW);
    // A compaction that runs again (or on a second instance) changes nothing.
    await compact("container_samples", NOW);
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
  });

  it("averages queue rates and keeps the deepest depth per bucket", async () => {
    const at = (ts: number, depth: number, rateIn: number | null) =>
      recordQueueSamples({ name: "default", ok: true, error: null, sampledAt: ts, queues: [queue(depth, rateIn)] });
    await at(NOW - 2 * HOUR + 1000, 100, 10);
    await at(NOW - 2 * HOUR + 20_000, 400, 30);
    await at(NOW - 2 * HOUR + 40_000, 200, null);
    await compact("queue_samples", NOW);
    const h = await queueHistory("default", "dataset", "24h", NOW);
    expect(h).toHaveLength(1);
    expect(h[0]).toMatchObject({ ts: NOW - 2 * HOUR, res: 60, depth: 400, rateIn: 20 });
  });

  it("gives the history lease to one instance at a time", async () => {
    expect(await tryLease("history-writer", "instance-a", 10_000)).toBe(true);
    expect(await tryLease("history-writer", "instance-b", 10_000)).toBe(false);
    expect(await tryLease("history-writer", "instance-a", 10_000)).toBe(true);
    const db = await getDb();
    await db.updateTable("leases").set({ expires_at: Date.now() - 1 }).where("name", "=", "history-writer").execute();
    expect(await tryLease("history-writer", "instance-b", 10_000)).toBe(true);
  });
});
