import { describe, expect, it } from "vitest";
import { boundQueues, lookupQueues, mergeQueues, topicMatch, type BindingTable } from "./discovery";

// Bindings as a real Celery 5.2 worker and producer leave them (seen with redis-cli MONITOR).
const table: BindingTable = new Map([
  ["dataset", [{ routingKey: "dataset", pattern: "", queue: "dataset" }]],
  ["mail", [{ routingKey: "mail", pattern: "", queue: "mail" }]],
  // A topic exchange: kombu stores key_to_pattern's regex in the member.
  ["events", [{ routingKey: "task.#", pattern: "^task\\..*?$", queue: "audit" }]],
  ["celery.pidbox", [{ routingKey: "", pattern: "", queue: "w1@vm.celery.pidbox" }]],
  ["celeryev", [{ routingKey: "worker.#", pattern: "", queue: "celeryev.4585a69c" }]],
  ["reply.celery.pidbox", [{ routingKey: "c587", pattern: "", queue: "c587.reply.celery.pidbox" }]],
]);

describe("discovery", () => {
  it("lists bound task queues and leaves kombu's control queues out", () => {
    expect(boundQueues(table).sort()).toEqual(["audit", "dataset", "mail"]);
  });

  it("routes like kombu's _lookup: anonymous exchange by name, direct, then topic", () => {
    expect(lookupQueues(table, "", "mail")).toEqual(["mail"]);
    expect(lookupQueues(table, "dataset", "dataset")).toEqual(["dataset"]);
    expect(lookupQueues(table, "events", "task.sent.x")).toEqual(["audit"]);
    // Nothing bound: kombu's _lookup returns nothing (no dead-letter queue on Redis): unroutable, not "rk".
    expect(lookupQueues(table, "unknown", "rk")).toEqual([]);
    expect(lookupQueues(table, "dataset", "other")).toEqual([]);
  });

  it("matches topic keys as kombu's TopicExchange (key_to_pattern), not as AMQP", () => {
    expect(topicMatch("task.#", "task")).toBe(false);
    expect(topicMatch("task.#", "task.x")).toBe(true);
    expect(topicMatch("task.*", "task.a.b")).toBe(true);
    expect(topicMatch("task.*", "task.")).toBe(false);
    expect(topicMatch("*.b.#", "a.b.c.d")).toBe(true);
    expect(topicMatch("a+b.*", "a+b.c")).toBe(true); // regex characters in a word are literal
  });

  it("merges origins per queue", () => {
    expect(mergeQueues(["dataset", "mail"], ["dataset", "x"], ["mail", "w1@vm.celery.pidbox"])).toEqual([
      { name: "dataset", origins: ["configured", "binding"] },
      { name: "mail", origins: ["configured", "worker"] },
      { name: "x", origins: ["binding"] },
    ]);
  });
});
