// Task timings in the embedded store: raw rows fold into 1-minute and then 10-minute buckets with their counts added
// and histograms merged (a percentile over 7 days equals one over the raw events), a second fold into an existing
// bucket adds to it, and what is older than 7 days goes, with the task's series once it has no rows left.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/server/db";
import { emptyTally, type TaskTally } from "@/server/tasks/events";
import { observe } from "@/server/tasks/histogram";
import { compactTaskPoints, recordTaskTallies, taskStats } from "@/server/tasks/store";
import { testConfig } from "@/server/testing/console";

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0); // on a 10-minute edge
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

function tally(runtimes: number[], queue = "dataset"): Map<string, TaskTally> {
  const t = emptyTally();
  for (const r of runtimes) {
    t.received++;
    t.started++;
    t.succeeded++;
    observe(t.runtime, r);
    observe(t.wait, r / 10);
  }
  t.queues.add(queue);
  return new Map([["tasks.index", t]]);
}

async function rows(): Promise<[number, number, number][]> {
  const db = await getDb();
  const r = await db
    .selectFrom("task_points")
    .select(["res", "ts", "succeeded"])
    .orderBy("res")
    .orderBy("ts")
    .execute();
  return r.map((x) => [x.res, Number(x.ts) - NOW, x.succeeded]);
}

beforeAll(async () => {
  await closeDb();
  testConfig({});
});
afterAll(async () => {
  await closeDb();
});

describe("task timings retention", () => {
  it("folds raw rows into tiers without losing a count or changing a percentile, and drops what is past 7 days", async () => {
    await recordTaskTallies("b", tally([0.2, 0.2, 1.0]), NOW - 2 * HOUR + 5_000);
    await recordTaskTallies("b", tally([0.2]), NOW - 2 * HOUR + 20_000);
    await recordTaskTallies("b", tally([0.5, 0.5], "mail"), NOW - 2 * DAY + 5_000);
    await recordTaskTallies("b", tally([3.0]), NOW - 8 * DAY);
    await recordTaskTallies("b", tally([0.2]), NOW - 5_000);
    const before = (await taskStats("b", "7d", {}, NOW))[0]!;
    expect(before).toMatchObject({ name: "tasks.index", succeeded: 7, queues: ["dataset", "mail"] });

    await compactTaskPoints(NOW);
    expect(await rows()).toEqual([
      [0, -5_000, 1], // the last hour stays raw
      [60, -2 * HOUR, 4], // two raw rows in one minute: one bucket, counts added
      [600, -2 * DAY, 2], // past a day: 10-minute buckets (the 8-day-old row is gone)
    ]);
    const after = (await taskStats("b", "7d", {}, NOW))[0]!;
    expect(after.succeeded).toBe(7);
    expect(after.runtime).toEqual(before.runtime);
    expect(after.wait).toEqual(before.wait);
    expect((await taskStats("b", "7d", { queue: "mail" }, NOW)).map((t) => t.name)).toEqual(["tasks.index"]);
    expect(await taskStats("b", "7d", { queue: "workflow" }, NOW)).toEqual([]);
  });

  it("adds a late raw row to a bucket that already exists", async () => {
    await recordTaskTallies("b", tally([0.2, 0.2]), NOW - 2 * HOUR + 40_000);
    await compactTaskPoints(NOW);
    expect((await rows()).find(([res, ts]) => res === 60 && ts === -2 * HOUR)?.[2]).toBe(6);
    expect((await taskStats("b", "7d", {}, NOW))[0]!.succeeded).toBe(9);
  });

  it("forgets the task once its last row is past 7 days", async () => {
    await compactTaskPoints(NOW + 8 * DAY);
    expect(await rows()).toEqual([]);
    expect(await taskStats("b", "7d", {}, NOW + 8 * DAY)).toEqual([]);
    const db = await getDb();
    expect(await db.selectFrom("series").select("key").where("kind", "=", "task").execute()).toEqual([]);
    expect(await db.selectFrom("task_queues").selectAll().execute()).toEqual([]);
  });
});
