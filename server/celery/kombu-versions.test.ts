// What kombu 5.2 to 5.6 leave in Redis, read by the console's own functions. Only kombu 5.2 runs in the live tests;
// kombu-versions.json was captured by running each tag's own code (github:celery/kombu v5.2.4, v5.3.7, v5.4.2,
// v5.5.4, v5.6.2) against a real redis-server (see __fixtures__/capture_kombu_versions.py). Each test names the kombu
// function whose output it checks.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { markRedelivered, parseUnackedRaw } from "@/server/queue-ops/orphans";
import { priorityListKey } from "@/server/queue-ops/keys";
import { kombuTopicRegex, lookupQueues, splitMember, type BindingTable, type ExchangeType } from "./discovery";
import { parseUnackedEntry } from "./envelope";
import {
  DEFAULT_LAYOUT,
  bindingKey,
  bindingMember,
  fanoutChannel,
  messagePriority,
  queueKey,
  unackedKeys,
  type KombuLayout,
} from "./kombu-keys";

interface Capture {
  kombu: string;
  bindings: Record<string, string[]>;
  published_lists: Record<string, string[]>;
  unacked: Record<string, string>;
  unacked_index: [string, number][];
  unacked_keys: string[];
  lists_while_unacked: string[];
  restored_lists: Record<string, string[]>;
  fanout_channels: string[];
}

const captured = (
  JSON.parse(readFileSync(new URL("./__fixtures__/kombu-versions.json", import.meta.url), "utf8")) as {
    versions: Record<string, Capture>;
  }
).versions;
const layout: KombuLayout = { ...DEFAULT_LAYOUT, prefix: "p:", prioritySteps: [0, 3, 6, 9] };
const types = new Map<string, ExchangeType>([
  ["tasks", "direct"],
  ["events", "topic"],
  ["bt", "fanout"],
]);
const latin1 = (s: string) => Buffer.from(s, "latin1");

/** The binding table as readBindings builds it from the captured sets. */
function tableOf(c: Capture): BindingTable {
  const table: BindingTable = new Map();
  for (const [key, members] of Object.entries(c.bindings))
    table.set(
      key.slice(bindingKey(layout, "").length),
      members.map((m) => splitMember(latin1(m), Buffer.from(layout.sep))!),
    );
  return table;
}

const restoredLaterThan54 = new Set(["v5.4.2", "v5.5.4", "v5.6.2"]);

describe.each(Object.entries(captured))("kombu %s", (version, c) => {
  it("Channel._queue_bind: `<prefix>_kombu.binding.<exchange>` sets of routing_key<sep>pattern<sep>queue", () => {
    expect(Object.keys(c.bindings).sort()).toEqual(["bt", "events", "tasks"].map((e) => bindingKey(layout, e)));
    expect(c.bindings[bindingKey(layout, "tasks")]).toEqual([bindingMember(layout, "q", "", "q")]);
    // TopicExchange.prepare_bind stores key_to_pattern's regex; FanoutExchange's stores none.
    expect(c.bindings[bindingKey(layout, "events")]).toEqual([
      bindingMember(layout, "task.#", kombuTopicRegex("task.#"), "audit"),
    ]);
    expect(c.bindings[bindingKey(layout, "bt")]).toEqual([bindingMember(layout, "", "", "bcast.1")]);
  });

  it("Channel._lookup through the exchange classes routes as lookupQueues does", () => {
    const table = tableOf(c);
    expect(lookupQueues(table, "tasks", "q", types)).toEqual(["q"]);
    expect(lookupQueues(table, "events", "task.sent", types)).toEqual(["audit"]);
    expect(lookupQueues(table, "bt", "reload", types)).toEqual(["bcast.1"]);
  });

  it("Channel._put with _q_for_pri: a priority-6 message goes to `<prefix>q<sep>6`", () => {
    const [key, values] = Object.entries(c.published_lists)[0]!;
    expect(Object.keys(c.published_lists)).toHaveLength(1);
    const payload = JSON.parse(values[0]!) as unknown;
    expect(latin1(key)).toEqual(queueKey(layout, "q", 6));
    expect(latin1(key)).toEqual(priorityListKey(layout, "q", messagePriority(payload)));
  });

  it("QoS.append: tag -> [message, exchange, routing_key] in `<prefix>unacked`, receive time in seconds in the index", () => {
    const keys = unackedKeys(layout);
    expect(c.unacked_keys).toEqual([keys.unacked, keys.index]);
    expect(c.lists_while_unacked).toEqual([]);
    const [[tag, raw]] = Object.entries(c.unacked) as [[string, string]];
    const entry = parseUnackedEntry(raw);
    expect(entry.ok && [entry.value.exchange, entry.value.routingKey, entry.value.message.id]).toEqual([
      "tasks",
      "q",
      "00000000-0000-4000-8000-000000000006",
    ]);
    const [indexTag, score] = c.unacked_index[0]!;
    expect(indexTag).toBe(tag);
    // time.time(): epoch seconds (readInFlight multiplies by 1000), not milliseconds.
    expect(score).toBeGreaterThan(1e9);
    expect(score).toBeLessThan(1e10);
  });

  it(`QoS.restore_visible -> _do_restore_message: ${restoredLaterThan54.has(version) ? "back into its priority list (kombu >= 5.4), where the console's requeue puts it" : "back into the bare queue name, losing its priority (kombu <= 5.3); the console's requeue keeps the priority, as 5.4 does"}`, () => {
    const [[restoredKey, [restoredRaw]]] = Object.entries(c.restored_lists) as [[string, [string]]];
    const parsed = parseUnackedRaw(Object.values(c.unacked)[0]!);
    if (parsed === null || parsed === "unsafe") throw new Error("unacked entry not parsed");
    const [payload] = parsed;
    const ours = priorityListKey(layout, "q", messagePriority(payload));
    if (restoredLaterThan54.has(version)) expect(latin1(restoredKey)).toEqual(ours);
    else {
      expect(latin1(restoredKey)).toEqual(queueKey(layout, "q", 0));
      expect(latin1(restoredKey)).not.toEqual(ours);
    }
    // The restored message is the unacked one marked redelivered in headers and delivery_info, as markRedelivered does.
    markRedelivered(payload);
    expect(JSON.parse(restoredRaw)).toEqual(payload);
  });

  it("Channel._get_publish_topic: fanout on `<prefix>/<db>.<exchange>` plus `/<routing key>` (fanout_patterns)", () => {
    expect(c.fanout_channels).toEqual([fanoutChannel(layout, 7, "bt", "reload"), fanoutChannel(layout, 7, "bt", "")]);
  });
});

it("covers every kombu minor version from 5.2 to 5.6", () => {
  expect(Object.values(captured).map((c) => c.kombu)).toEqual(["5.2.4", "5.3.7", "5.4.2", "5.5.4", "5.6.2"]);
});
