// Sessions that expired are deleted by the running console on its own schedule, not only when presented again: a
// stolen but expired cookie's row does not linger in the database. The real runtime, scheduler and SQLite store.
import { afterAll, describe, expect, it } from "vitest";
import { GET as healthGET } from "@/app/api/health/route";
import { sha256 } from "@/server/auth/crypto";
import { createSession, readSession } from "@/server/auth/sessions";
import { createUser } from "@/server/auth/users";
import { getDb } from "@/server/db";
import { flushTestRedis, testRedisUrl } from "@/server/testing/harness";
import { until } from "@/server/testing/console";
import { startRuntime, stopRuntime } from "@/server/testing/runtime";

const BROKER_DB = 9;

afterAll(async () => {
  await stopRuntime();
  await flushTestRedis([BROKER_DB]);
});

interface Health {
  jobs: { name: string; runs: number; failures: number }[];
}

describe("session pruning", () => {
  it("deletes sessions past their lifetime or idle limit once the console runs, and keeps live ones", async () => {
    await flushTestRedis([BROKER_DB]);
    const ids: Record<"expired" | "idle" | "live", string> = { expired: "", idle: "", live: "" };
    let liveToken = "";
    await startRuntime(
      { LEAKWATCH_BROKERS: `default=${testRedisUrl(BROKER_DB)}`, LEAKWATCH_LOG_LEVEL: "warn" },
      async () => {
        // Before start-up, as a console stopped for a week would find its store.
        const user = await createUser({ username: "sam", password: "a password for sam", role: "viewer" });
        for (const k of ["expired", "idle", "live"] as const) {
          const s = await createSession(user.id, "127.0.0.1");
          ids[k] = sha256(s.token);
          if (k === "live") liveToken = s.token;
        }
        // A week or twelve idle hours is too long to wait in a test: move the times into the past, as the clock would.
        const db = await getDb();
        await db
          .updateTable("sessions")
          .set({ expires_at: Date.now() - 1 })
          .where("id", "=", ids.expired)
          .execute();
        await db
          .updateTable("sessions")
          .set({ last_seen_at: Date.now() - 13 * 3600_000 })
          .where("id", "=", ids.idle)
          .execute();
      },
    );
    const db = await getDb();
    const left = await until(
      async () => (await db.selectFrom("sessions").select("id").execute()).map((r) => r.id),
      (rows) => !rows.includes(ids.expired) && !rows.includes(ids.idle),
    );
    expect(left).toContain(ids.live);
    expect(await readSession(liveToken)).toMatchObject({ username: "sam" });

    // /api/health lists the job with the others the scheduler runs.
    const health = (await (await healthGET()).json()) as Health;
    expect(health.jobs.find((j) => j.name === "sessions")).toMatchObject({ failures: 0 });
    expect(health.jobs.find((j) => j.name === "sessions")!.runs).toBeGreaterThan(0);
  });
});
