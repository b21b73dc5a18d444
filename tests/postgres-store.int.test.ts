import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession, readSession } from "@/server/auth/sessions";
import { createUser } from "@/server/auth/users";
import { closeDb, dbDialect, getDb } from "@/server/db";
import { containerHistory, recordContainerSamples } from "@/server/history/containers";
import { tryLease } from "@/server/history/lease";
import { compact } from "@/server/history/retention";
import type { ContainerSummary } from "@/server/schemas/containers";
import { testConfig } from "./support/console";

// The scaled-out store: the same schema, migrations and queries on Debian's PostgreSQL.
const PG_URL = process.env.LEAKWATCH_TEST_PG_URL ?? "postgres://leakwatch:leakwatch@127.0.0.1:54329/leakwatch_test";

function sample(ts: number, current: number): ContainerSummary {
  return {
    host: "local", id: "c".repeat(64), name: "pg-test", image: "img", state: "running", labels: {}, via: "cgroupfs",
    pids: { current, limit: 100, effectiveLimit: 100, limitSource: "container", limitPath: "/docker/x", peak: null, refusedTotal: 0 },
    growthPerMinute: null, etaSeconds: null, status: "ok", reasons: [], refusingNow: false, sampledAt: ts, spark: [],
  };
}

beforeAll(async () => {
  testConfig({ LEAKWATCH_DATABASE_URL: PG_URL });
  // A clean database: drop what an earlier run left, then let the migrations build it again.
  const db = await getDb();
  await sql`drop schema public cascade`.execute(db);
  await sql`create schema public`.execute(db);
  await closeDb();
});

afterAll(async () => {
  await closeDb();
});

describe("PostgreSQL store", () => {
  it("migrates and serves users and sessions", async () => {
    expect(dbDialect()).toBe("postgres");
    const user = await createUser({ username: "pg-admin", password: "a-long-password-1", role: "admin" });
    const s = await createSession(user.id, "127.0.0.1");
    const read = await readSession(s.token);
    expect(read).toMatchObject({ username: "pg-admin", role: "admin", csrfToken: s.csrfToken });
    expect(await readSession("not-a-token")).toBeNull();
  });

  it("keeps history through compaction with numbers, not strings", async () => {
    const now = Date.now();
    const old = now - 2 * 3600_000; // past the raw tier: folded into 1-minute buckets
    await recordContainerSamples([sample(old, 10), sample(old + 5000, 14), sample(now - 1000, 50)]);
    await compact("container_samples", now);
    const h = await containerHistory("local", "c".repeat(64), "24h", now);
    expect(h.map((p) => [p.res, p.current])).toEqual([[60, 14], [0, 50]]);
    expect(typeof h[0]!.ts).toBe("number");
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
