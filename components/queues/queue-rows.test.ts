import { describe, expect, it } from "vitest";
import type { BrokerSummary, QueueSummary } from "@/server/schemas/queues";
import { priorityChips, queueAlerts, queueMatches, queueProblems, queueRows } from "./queue-rows";

// Shaped like the Celery sampler's output for Dify's queues (fixtures/celery/dify_app.py).
function q(name: string, over: Partial<QueueSummary> = {}): QueueSummary {
  return {
    name,
    depth: 0,
    byPriority: { "0": 0, "3": 0, "6": 0, "9": 0 },
    unacked: 0,
    orphaned: 0,
    consumers: ["celery@worker-1"],
    ratePerMinuteIn: null,
    ratePerMinuteOut: null,
    drainSeconds: null,
    oldestSeenSeconds: null,
    threshold: 1000,
    status: "ok",
    origins: ["configured"],
    ...over,
  };
}
const broker = (queues: QueueSummary[], ok = true): BrokerSummary => ({
  name: "main",
  ok,
  error: ok ? null : "ECONNREFUSED",
  sampledAt: 1_700_000_000_000,
  queues,
});

describe("queueRows", () => {
  it("orders by status then depth and carries the broker state", () => {
    const rows = queueRows(
      broker(
        [q("dataset", { depth: 5 }), q("mail", { depth: 50 }), q("workflow", { depth: 1, status: "critical" })],
        false,
      ),
    );
    expect(rows.map((r) => r.name)).toEqual(["workflow", "mail", "dataset"]);
    expect(rows[0]).toMatchObject({ broker: "main", brokerOk: false });
  });
});

describe("priorityChips", () => {
  it("lists non-empty kombu priority steps numerically", () => {
    expect(priorityChips({ "9": 1, "0": 12, "3": 0, "6": 4 })).toEqual([
      { step: "0", count: 12 },
      { step: "6", count: 4 },
      { step: "9", count: 1 },
    ]);
    expect(priorityChips({ "0": 0 })).toEqual([]);
  });
});

describe("queue problems", () => {
  it("flags depth at the threshold, missing consumers and orphaned messages", () => {
    expect(queueProblems(q("a", { depth: 1000 }))).toEqual(["over-threshold"]);
    expect(queueProblems(q("a", { depth: 3, consumers: [], orphaned: 2 }))).toEqual(["no-consumer", "orphaned"]);
    expect(queueProblems(q("a", { depth: 0, consumers: [] }))).toEqual([]);
    expect(queueProblems(q("a", { depth: 999 }))).toEqual([]);
    const paused = { broker: "b", queue: "a", by: "alice", since: 1, reason: "INC-1", auditId: "x", workers: ["w@h"] };
    // Paused from the console: "paused", not "no consumer", with or without work waiting.
    expect(queueProblems(q("a", { depth: 3, consumers: [], paused }))).toEqual(["paused"]);
    expect(queueProblems(q("a", { depth: 0, consumers: [], paused }))).toEqual(["paused"]);
  });

  it("lists only queues that need attention, across brokers", () => {
    const alerts = queueAlerts([
      broker([
        q("calm"),
        q("dead", { depth: 5, consumers: [] }),
        q("idle", { depth: 0, consumers: [] }),
        q("deep", { depth: 5000, status: "critical" }),
      ]),
    ]);
    expect(alerts.map((a) => [a.name, a.problems])).toEqual([
      ["deep", ["over-threshold"]],
      ["dead", ["no-consumer"]],
    ]);
  });
});

describe("queueMatches", () => {
  it("keeps names holding every word, whatever the case; an empty filter keeps all", () => {
    expect(queueMatches("priority_dataset", "DATA")).toBe(true);
    expect(queueMatches("priority_dataset", "prio set")).toBe(true);
    expect(queueMatches("priority_dataset", "prio mail")).toBe(false);
    expect(queueMatches("mail", "")).toBe(true);
    expect(queueMatches("mail", "  ")).toBe(true);
  });
});
