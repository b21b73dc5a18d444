import { describe, expect, it } from "vitest";
import { classify } from "./unacked";
import { acceptedByQueue, queueRates, queueStatus } from "./rates";

describe("acceptedByQueue", () => {
  const consumersByQueue = new Map([
    ["dataset", ["w1"]],
    ["mail", ["w2"]],
    ["workflow", ["w2"]],
  ]);
  it("attributes a single-queue worker's completions and multi-queue ones by task name", () => {
    const out = acceptedByQueue({
      totalsPrev: new Map<string, Record<string, number>>([
        ["w1", { "tasks.index": 10 }],
        ["w2", { "tasks.mail": 1, "tasks.slow": 0 }],
      ]),
      totalsNow: new Map<string, Record<string, number>>([
        ["w1", { "tasks.index": 40 }],
        ["w2", { "tasks.mail": 4, "tasks.slow": 2 }],
      ]),
      consumersByQueue,
      taskQueues: new Map([
        ["tasks.mail", "mail"],
        ["tasks.slow", "workflow"],
      ]),
    });
    expect(Object.fromEntries(out)).toEqual({ dataset: 30, mail: 3, workflow: 2 });
  });

  it("gives null when completions cannot be attributed or the worker restarted", () => {
    const out = acceptedByQueue({
      totalsPrev: new Map<string, Record<string, number>>([
        ["w1", { a: 10 }],
        ["w2", { b: 5 }],
      ]),
      totalsNow: new Map<string, Record<string, number>>([
        ["w1", { a: 3 }],
        ["w2", { b: 6 }],
      ]),
      consumersByQueue,
      taskQueues: new Map(),
    });
    expect(Object.fromEntries(out)).toEqual({ dataset: null, mail: null, workflow: null });
  });
});

describe("queueRates", () => {
  it("derives in from depth delta plus out, and drain time when shrinking", () => {
    expect(queueRates(100, 160, 90, 60_000)).toEqual({ ratePerMinuteIn: 30, ratePerMinuteOut: 90, drainSeconds: 100 });
    expect(queueRates(100, 50, 10, 60_000)).toMatchObject({ ratePerMinuteIn: 60, drainSeconds: null });
    expect(queueRates(5, undefined, 3, 60_000)).toEqual({
      ratePerMinuteIn: null,
      ratePerMinuteOut: null,
      drainSeconds: null,
    });
    expect(queueRates(0, 3, 3, 60_000).drainSeconds).toBe(0);
  });
});

describe("queueStatus", () => {
  it("warns above the threshold and is critical above twice it or with nobody consuming", () => {
    expect(queueStatus({ depth: 150, threshold: 200, hasConsumer: true, orphaned: 0 })).toBe("ok");
    expect(queueStatus({ depth: 201, threshold: 200, hasConsumer: true, orphaned: 0 })).toBe("warn");
    expect(queueStatus({ depth: 401, threshold: 200, hasConsumer: true, orphaned: 0 })).toBe("critical");
    expect(queueStatus({ depth: 1, threshold: 200, hasConsumer: false, orphaned: 0 })).toBe("critical");
    expect(queueStatus({ depth: 0, threshold: 200, hasConsumer: true, orphaned: 2 })).toBe("warn");
    expect(queueStatus({ depth: 0, threshold: 200, hasConsumer: true, orphaned: 0 })).toBe("ok");
  });
  it("is never ok without a known consumer: unknown with messages, idle when empty", () => {
    // Workers could not be asked: messages wait and nobody can say who takes them.
    expect(queueStatus({ depth: 1, threshold: 200, hasConsumer: null, orphaned: 0 })).toBe("unknown");
    // Empty and unconsumed: neutral, not "ok" beside "consumers: none".
    expect(queueStatus({ depth: 0, threshold: 200, hasConsumer: false, orphaned: 0 })).toBe("idle");
    expect(queueStatus({ depth: 0, threshold: 200, hasConsumer: null, orphaned: 0 })).toBe("idle");
    // Orphans still warn on an unconsumed queue.
    expect(queueStatus({ depth: 0, threshold: 200, hasConsumer: false, orphaned: 1 })).toBe("warn");
  });
});

describe("classify in-flight", () => {
  const now = 1_000_000_000;
  const base = { nowMs: now, receivedMs: now - 10_000, etaMs: null, id: "t1", workers: null };
  it("tells running, prefetched, ETA-waiting and orphaned apart", () => {
    const workers = {
      active: new Set(["t1"]),
      held: new Set(["t1", "t2"]),
      rateLimited: new Map([["mail", new Set(["tasks.send_mail"])]]),
      askedAtMs: now,
    };
    expect(classify({ ...base, workers })).toBe("running");
    expect(classify({ ...base, id: "t2", workers })).toBe("prefetched");
    expect(classify({ ...base, id: "t2", etaMs: now + 60_000, workers })).toBe("etaWaiting");
    expect(classify({ ...base, id: "gone", workers })).toBe("orphaned");
    // Workers unknown: nothing can be called orphaned, however old (kombu's restore_visible is counted apart).
    expect(classify({ ...base, receivedMs: now - 3_601_000 })).toBe("prefetched");
    expect(classify({ ...base })).toBe("prefetched");
    // Held in a live consumer's rate-limit bucket: listed nowhere, yet not orphaned (celery/worker/consumer: _limit_task).
    expect(classify({ ...base, id: "bucket", task: "tasks.send_mail", queue: "mail", workers })).toBe("rateLimited");
    expect(classify({ ...base, id: "bucket", task: "tasks.send_mail", queue: "dataset", workers })).toBe("orphaned");
    // just received, not yet listed by its worker: not orphaned
    expect(classify({ ...base, id: "new", receivedMs: now - 500, workers })).toBe("prefetched");
  });
});
