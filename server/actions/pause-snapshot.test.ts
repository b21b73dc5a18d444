import { describe, expect, it } from "vitest";
import type { BrokerSummary, QueuePause, QueueSummary } from "@/server/schemas/queues";
import { withPauses } from "./pause-snapshot";

const row = (name: string, over: Partial<QueueSummary> = {}): QueueSummary => ({
  name,
  depth: 0,
  byPriority: {},
  unacked: 0,
  orphaned: 0,
  consumers: [],
  ratePerMinuteIn: null,
  ratePerMinuteOut: null,
  drainSeconds: null,
  oldestSeenSeconds: null,
  threshold: 100,
  status: "idle",
  origins: ["binding"],
  ...over,
});
const pause = (queue: string, broker = "default"): QueuePause => ({
  broker,
  queue,
  by: "alice",
  since: 1,
  reason: "INC-1",
  auditId: "a",
  workers: ["w@h"],
});
const broker = (queues: QueueSummary[]): BrokerSummary => ({
  name: "default",
  ok: true,
  error: null,
  sampledAt: 2,
  queues,
});

describe("withPauses", () => {
  it("marks the paused queue of this broker only, and drops a pause the store no longer has", () => {
    const b = broker([row("jobs"), row("mail", { paused: pause("mail") }), row("other")]);
    const out = withPauses(b, [pause("jobs"), pause("other", "elsewhere")]);
    expect(out.queues.map((q) => [q.name, q.paused?.by ?? null])).toEqual([
      ["jobs", "alice"],
      ["mail", null],
      ["other", null],
    ]);
  });

  it("a paused queue is not critical for having no consumer: warn while messages wait, critical past 2x threshold", () => {
    const b = broker([
      row("waiting", { depth: 5, status: "critical" }),
      row("empty", { depth: 0, status: "idle" }),
      row("flooded", { depth: 250, status: "critical" }),
    ]);
    const out = withPauses(b, [pause("waiting"), pause("empty"), pause("flooded")]);
    expect(out.queues.map((q) => [q.name, q.status])).toEqual([
      ["waiting", "warn"],
      ["empty", "idle"],
      ["flooded", "critical"],
    ]);
    // Unpaused, the same rows keep the sampler's status.
    expect(withPauses(b, []).queues.map((q) => q.status)).toEqual(["critical", "idle", "critical"]);
  });
});
