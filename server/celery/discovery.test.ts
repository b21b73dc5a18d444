import { describe, expect, it } from "vitest";
import {
  boundQueues,
  fanoutQueues,
  lookupQueues,
  mergeQueues,
  resolveExchangeTypes,
  topicMatch,
  type BindingTable,
  type ExchangeType,
} from "./discovery";

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

  // A Celery Broadcast('broadcast_tasks') consumed by two workers, as a real Celery 5.2 worker binds it (seen in
  // Redis): FanoutExchange.prepare_bind stores no pattern, and the routing key is the queue's (Celery's default
  // 'dataset' here), while a message published with fanout_patterns off may carry any routing key.
  const withFanout: BindingTable = new Map([
    ...table,
    [
      "broadcast_tasks",
      [
        { routingKey: "dataset", pattern: "", queue: "bcast.a" },
        { routingKey: "dataset", pattern: "", queue: "bcast.b" },
        { routingKey: "other", pattern: "", queue: "bcast.c" },
      ],
    ],
  ]);
  const types = new Map<string, ExchangeType>([
    ["broadcast_tasks", "fanout"],
    ["dataset", "direct"],
    ["events", "topic"],
  ]);

  it("routes a fanout exchange's message to every bound queue whatever its key (FanoutExchange.lookup)", () => {
    expect(lookupQueues(withFanout, "broadcast_tasks", "reload", types).sort()).toEqual([
      "bcast.a",
      "bcast.b",
      "bcast.c",
    ]);
    expect(lookupQueues(withFanout, "broadcast_tasks", "", types).sort()).toEqual(["bcast.a", "bcast.b", "bcast.c"]);
    // Unknown type (no worker reported it, nothing configured): today's guess, direct by exact key, as kombu's own
    // Channel.typeof does for an exchange its process never declared.
    expect(lookupQueues(withFanout, "broadcast_tasks", "reload")).toEqual([]);
    expect(lookupQueues(withFanout, "broadcast_tasks", "dataset").sort()).toEqual(["bcast.a", "bcast.b"]);
  });

  it("routes a declared direct exchange by exact key only and a declared topic by its stored patterns", () => {
    expect(lookupQueues(withFanout, "dataset", "dataset", types)).toEqual(["dataset"]);
    expect(lookupQueues(withFanout, "dataset", "datase", types)).toEqual([]);
    // A direct exchange whose binding carries a pattern (bound by a process that took it for a topic): direct still.
    const odd: BindingTable = new Map([["d", [{ routingKey: "a.*", pattern: "^a\\..*?[^\\.]$", queue: "q" }]]]);
    expect(lookupQueues(odd, "d", "a.b", new Map([["d", "direct"]]))).toEqual([]);
    expect(lookupQueues(odd, "d", "a.*", new Map([["d", "direct"]]))).toEqual(["q"]);
    expect(lookupQueues(odd, "d", "a.b")).toEqual(["q"]); // unknown type: guessed topic from the pattern
    expect(lookupQueues(withFanout, "events", "task.sent", types)).toEqual(["audit"]);
    // TopicExchange._match is re.match(pattern): an empty stored pattern (a binding made without the topic type)
    // matches every key once the exchange is known to be a topic; unknown, it is guessed direct.
    const bare: BindingTable = new Map([["t", [{ routingKey: "x.#", pattern: "", queue: "q" }]]]);
    expect(lookupQueues(bare, "t", "anything", new Map([["t", "topic"]]))).toEqual(["q"]);
    expect(lookupQueues(bare, "t", "anything")).toEqual([]);
  });

  it("lists the queues of known fanout exchanges (their lists are never read) and merges types", () => {
    expect([...fanoutQueues(withFanout, types)].sort()).toEqual([
      ["bcast.a", "broadcast_tasks"],
      ["bcast.b", "broadcast_tasks"],
      ["bcast.c", "broadcast_tasks"],
    ]);
    expect(fanoutQueues(withFanout, new Map()).size).toBe(0);
    // Celery's own pidbox exchange is fanout, but its queues are control queues, not task queues.
    expect(fanoutQueues(withFanout, new Map([["celery.pidbox", "fanout"]])).size).toBe(0);
    const merged = resolveExchangeTypes(
      { broadcast_tasks: "fanout", events: "direct" },
      new Map<string, ExchangeType>([["events", "topic"]]),
    );
    expect([...merged.types].sort()).toEqual([
      ["broadcast_tasks", "fanout"],
      ["events", "topic"],
    ]);
    expect(merged.conflicts).toEqual([
      "exchange events is topic in a worker's declaration but direct in exchange_types",
    ]);
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
