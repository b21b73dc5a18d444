import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fanoutChannel, layoutOf } from "@/server/celery/kombu-keys";
import type { BrokerConfig } from "@/server/config";
import { parseTaskEvents, TaskTimings } from "./events";
import { exceptionClass } from "./prometheus";
import { BUCKET_RATIO, bucketFloor, bucketOf, observe, percentiles, quantile, type Histogram } from "./histogram";

// Captured from a real Celery 5.2.6 worker (-E, threads pool) and producer (task_send_sent_event) with
// global_keyprefix "evt:" on db 1: two tasks.slow(0.3) on the workflow queue. See the fixture's "captured" note.
interface Captured {
  pattern: string;
  channel: string;
  message: string;
}
const captured = (
  JSON.parse(readFileSync(new URL("../celery/__fixtures__/celeryev-5.2.json", import.meta.url), "utf8")) as {
    messages: Captured[];
  }
).messages;

const broker = {
  name: "b",
  url: "redis://127.0.0.1:6379/1",
  globalKeyprefix: "evt:",
  prioritySteps: [0, 3, 6, 9],
  visibilityTimeoutSeconds: 3600,
  queues: [],
} as unknown as BrokerConfig;

describe("task events from a real Celery 5.2 worker", () => {
  it("arrive on kombu's fanout channel for celeryev with the global_keyprefix and the db", () => {
    const channels = new Set(captured.map((c) => c.channel));
    const base = fanoutChannel(layoutOf(broker), 1, "celeryev");
    expect(base).toBe("evt:/1.celeryev");
    expect([...channels].sort()).toEqual(
      ["task.multi", "task.sent", "worker.heartbeat", "worker.offline", "worker.online"].map((k) => `${base}/${k}`),
    );
  });

  it("decodes single events and task.multi batches into typed events", () => {
    const events = captured.filter((c) => c.channel.includes("/task.")).flatMap((c) => parseTaskEvents(c.message));
    const byType = (t: string) => events.filter((e) => e.type === t);
    expect(byType("task-sent")).toHaveLength(2);
    expect(byType("task-sent")[0]).toMatchObject({ name: "tasks.slow", queue: "workflow", eta: false });
    expect(byType("task-received")).toHaveLength(2);
    expect(byType("task-started")).toHaveLength(2);
    expect(byType("task-succeeded").map((e) => e.runtimeSeconds! > 0.3 && e.runtimeSeconds! < 0.4)).toEqual([
      true,
      true,
    ]);
    // worker events are not task events
    expect(captured.filter((c) => c.channel.includes("/worker.")).flatMap((c) => parseTaskEvents(c.message))).toEqual(
      [],
    );
  });

  it("tallies per task name: counts, runtime from task-succeeded, wait from task-sent to task-started", () => {
    const timings = new TaskTimings();
    for (const c of captured) for (const e of parseTaskEvents(c.message)) timings.apply(e, 1000);
    const tally = timings.take().get("tasks.slow")!;
    expect(tally).toMatchObject({ sent: 2, received: 2, started: 2, succeeded: 2, failed: 0, retried: 0 });
    expect([...tally.queues]).toEqual(["workflow"]);
    const runtime = percentiles(tally.runtime);
    expect(runtime.count).toBe(2);
    expect(runtime.p50! / 0.3065).toBeGreaterThan(1 / BUCKET_RATIO);
    expect(runtime.p50! / 0.3065).toBeLessThan(BUCKET_RATIO);
    // sent 1796302600.6299 -> started .6356 and .6391 -> .6635: 5.6 ms and 24.4 ms
    expect(percentiles(tally.wait).count).toBe(2);
    expect(quantile(tally.wait, 1)! / 0.0244).toBeGreaterThan(1 / BUCKET_RATIO);
    expect(quantile(tally.wait, 1)! / 0.0244).toBeLessThan(BUCKET_RATIO);
    expect(timings.take().size).toBe(0);
  });

  it("counts events that arrive before the one naming their task (started before received) once named", () => {
    const timings = new TaskTimings();
    const events = captured.filter((c) => !c.channel.endsWith("task.sent")).flatMap((c) => parseTaskEvents(c.message));
    const late = events.filter((e) => e.type === "task-received");
    for (const e of [...events.filter((x) => x.type !== "task-received"), ...late]) timings.apply(e, 1000);
    const tally = timings.take().get("tasks.slow")!;
    expect(tally).toMatchObject({ received: 2, started: 2, succeeded: 2 });
    expect(percentiles(tally.runtime).count).toBe(2);
    expect(percentiles(tally.wait).count).toBe(2);
  });

  it("without task-sent, takes the queue of a receiving worker that consumes one queue", () => {
    const timings = new TaskTimings();
    for (const c of captured.filter((x) => !x.channel.endsWith("task.sent")))
      for (const e of parseTaskEvents(c.message)) timings.apply(e, 1000, () => ["workflow"]);
    const tally = timings.take().get("tasks.slow")!;
    expect(tally.sent).toBe(0);
    expect([...tally.queues]).toEqual(["workflow"]);
    expect(percentiles(tally.wait).count).toBe(2); // received -> started
  });
});

describe("histogram", () => {
  it("reads each percentile within one bucket of the exact value", () => {
    const h: Histogram = {};
    const values = Array.from({ length: 1000 }, (_, i) => 0.01 + i * 0.005);
    for (const v of values) observe(h, v);
    for (const q of [0.5, 0.95, 0.99]) {
      const exact = values[Math.ceil(q * values.length) - 1]!;
      const read = quantile(h, q)!;
      expect(read / exact).toBeGreaterThan(1 / BUCKET_RATIO);
      expect(read / exact).toBeLessThan(BUCKET_RATIO);
    }
  });

  it("keeps values below a millisecond and above a day in its end buckets", () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(-1)).toBe(0);
    expect(bucketOf(1e9)).toBe(219);
    expect(bucketFloor(bucketOf(0.3))).toBeLessThanOrEqual(0.3);
    expect(bucketFloor(bucketOf(0.3) + 1)).toBeGreaterThan(0.3);
    expect(quantile({}, 0.5)).toBeNull();
  });
});

describe("exceptionClass", () => {
  it("keeps the class of Celery's exception repr and never its message", () => {
    expect(exceptionClass("ValueError('bad input')")).toBe("ValueError");
    expect(exceptionClass("requests.exceptions.ConnectionError('https://u:secret@host')")).toBe(
      "requests.exceptions.ConnectionError",
    );
    expect(exceptionClass("TimeoutError")).toBe("TimeoutError");
    expect(exceptionClass("could not connect to redis://:secret@host")).toBe("");
    expect(exceptionClass(null)).toBe("");
  });
});
