import { describe, expect, it } from "vitest";
import type { BrokerSummary, QueueSummary, WorkerSummary } from "@/server/schemas/queues";
import { consumerMap, sortWorkers } from "./consumer-map";

// Shaped like a Celery heartbeat/ping reply joined with the queue sampler (server/celery/__fixtures__/worker-replies.json).
const w = (hostname: string, queues: string[], alive = true): WorkerSummary => ({
  broker: "main",
  hostname,
  alive,
  lastSeen: 1_700_000_000_000,
  pool: "prefork",
  concurrency: 4,
  processes: [10, 11],
  autoscale: null,
  queues,
  active: 0,
  reserved: 0,
  scheduled: 0,
  via: "heartbeat",
});
const q = (name: string, depth: number, consumers: string[] = []): QueueSummary => ({
  name,
  depth,
  byPriority: {},
  unacked: 0,
  orphaned: 0,
  consumers,
  ratePerMinuteIn: null,
  ratePerMinuteOut: null,
  drainSeconds: null,
  oldestSeenSeconds: null,
  threshold: 100,
  status: "ok",
  origins: ["configured"],
});
const brokers: BrokerSummary[] = [
  {
    name: "main",
    ok: true,
    error: null,
    sampledAt: 1,
    queues: [q("dataset", 40), q("mail", 3), q("workflow", 0, ["celery@a"])],
  },
];

describe("consumerMap", () => {
  it("joins worker queues with sampled consumers and puts unconsumed queues first, then deepest, then by name", () => {
    const map = consumerMap([w("celery@b", ["mail", "generation"]), w("celery@dead", ["dataset"], false)], brokers);
    expect(map.map((e) => [e.queue, e.consumers])).toEqual([
      ["dataset", []],
      ["mail", ["celery@b"]],
      ["generation", ["celery@b"]],
      ["workflow", ["celery@a"]],
    ]);
    expect(map.find((e) => e.queue === "generation")?.depth).toBeNull();
  });
});

describe("sortWorkers", () => {
  it("lists alive workers before dead ones", () => {
    expect(sortWorkers([w("z", []), w("a", [], false), w("m", [])]).map((x) => x.hostname)).toEqual(["m", "z", "a"]);
  });
});
