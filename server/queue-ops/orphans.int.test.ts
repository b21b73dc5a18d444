// Requeue of orphaned unacked messages after a real Celery 5.2 worker (acks_late, prefetch) was
// SIGKILLed: the messages go back to their priority sub-list marked redelivered, and another
// worker runs each exactly once.
import { describe, expect, it } from "vitest";
import { ConflictError } from "@/server/errors";
import { produce, startCeleryWorker, waitFor } from "@/server/testing/harness";
import {
  all,
  byStep,
  expectedMarkers,
  firstArg,
  markersWith,
  celeryTestNamespace,
  parse,
} from "@/server/testing/queue-ops";
import { unackedKeys } from "./keys";
import { requeueOrphans } from "./orphans";

const freshNamespace = celeryTestNamespace();

const VISIBILITY_TIMEOUT_SECONDS = 5;

describe("requeueOrphans", () => {
  it("gives a killed worker's prefetched messages to another worker, each run exactly once", async () => {
    const ns = await freshNamespace();
    const keys = unackedKeys(ns);
    // Two slow tasks hold both threads, so the record tasks behind them are only prefetched.
    await produce({ queue: "workflow", task: "tasks.slow", slowSeconds: 60, count: 2, env: ns.env() });
    const { sent } = await produce({
      queue: "workflow",
      task: "tasks.record",
      count: 6,
      priority: 6,
      markerPrefix: ns.markerPrefix,
      env: ns.env(),
    });
    const first = startCeleryWorker({
      queues: ["workflow"],
      hostname: `qo-o1-${process.pid}`,
      concurrency: 2,
      env: {
        ...ns.env({ visibility_timeout: VISIBILITY_TIMEOUT_SECONDS }),
        TASK_ACKS_LATE: "1",
        PREFETCH_MULTIPLIER: "4",
      },
    });
    await first.waitReady();
    await waitFor(async () => (await ns.redis.hlen(keys.unacked)) === 2 + sent || undefined, {
      what: "all messages unacked",
      timeoutMs: 60_000,
    });
    await first.stop("SIGKILL");
    expect(await markersWith(ns.markerPrefix)).toEqual([]);
    expect(all(await byStep(ns, "workflow"))).toEqual([]);

    // Too young: nothing is touched.
    expect((await requeueOrphans(ns.redis, { ...ns, visibilityTimeoutSeconds: 3600 })).requeued).toBe(0);
    await new Promise((r) => setTimeout(r, (VISIBILITY_TIMEOUT_SECONDS + 1) * 1000));

    // A worker restoring right now holds kombu's mutex: we back off.
    await ns.redis.set(keys.mutex, "someone-else", "PX", 10_000, "NX");
    await expect(
      requeueOrphans(ns.redis, { ...ns, visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS }),
    ).rejects.toBeInstanceOf(ConflictError);
    await ns.redis.del(keys.mutex);

    const r = await requeueOrphans(ns.redis, { ...ns, visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS });
    expect(r).toMatchObject({ requeued: 2 + sent, byQueue: { workflow: 2 + sent }, skipped: [], unroutable: [] });
    expect(await ns.redis.hlen(keys.unacked)).toBe(0);
    expect(await ns.redis.zcard(keys.index)).toBe(0);
    expect(await ns.redis.exists(keys.mutex)).toBe(0); // released
    const lists = await byStep(ns, "workflow");
    expect(lists["0"]!.map((m) => parse(m).headers.task)).toEqual(["tasks.slow", "tasks.slow"]);
    expect(lists["6"]!.map((m) => firstArg(parse(m))).sort()).toEqual(expectedMarkers(ns.markerPrefix, sent));
    for (const m of all(lists)) {
      expect(parse(m).headers.redelivered).toBe(true);
      expect(parse(m).properties.delivery_info.redelivered).toBe(true);
    }

    const second = startCeleryWorker({
      queues: ["workflow"],
      hostname: `qo-o2-${process.pid}`,
      concurrency: 4,
      env: { ...ns.env(), TASK_ACKS_LATE: "1" },
    });
    await second.waitReady();
    await waitFor(async () => (await markersWith(ns.markerPrefix)).length >= sent || undefined, {
      what: "all markers",
      timeoutMs: 60_000,
    });
    await new Promise((r) => setTimeout(r, 1500)); // room for a duplicate to show up
    expect((await markersWith(ns.markerPrefix)).sort()).toEqual(expectedMarkers(ns.markerPrefix, sent));
  });

  it("requeues exactly the given delivery tags, whatever their age, and leaves the others alone", async () => {
    const ns = await freshNamespace();
    const keys = unackedKeys(ns);
    await produce({ queue: "mail", task: "tasks.send_mail", count: 3, priority: 3, env: ns.env() });
    // Stand in for a worker's QoS.append (HSET unacked + ZADD unacked_index) with the real messages.
    const msgs = all(await byStep(ns, "mail"));
    await ns.redis.del(`${ns.prefix}mail\x06\x163`);
    const tags = msgs.map((m) => parse(m).properties.delivery_tag);
    for (const [i, m] of msgs.entries()) {
      await ns.redis.hset(keys.unacked, tags[i]!, JSON.stringify([JSON.parse(m), "", "mail"]));
      await ns.redis.zadd(keys.index, Date.now() / 1000 - 60 + i, tags[i]!); // delivered in order, a second apart
    }
    // Two entries kombu's restore_by_tag could not read: not JSON, and a null message.
    await ns.redis.hset(keys.unacked, "not-json", "{oops", "null-message", JSON.stringify([null, "", "mail"]));
    await ns.redis.zadd(keys.index, Date.now() / 1000 - 30, "not-json", Date.now() / 1000 - 30, "null-message");
    const r = await requeueOrphans(ns.redis, {
      ...ns,
      deliveryTags: [tags[2]!, "not-json", tags[0]!, "null-message", "gone-tag"],
    });
    expect(r).toMatchObject({ requeued: 2, staleIndex: 0, unroutable: [] });
    expect([...r.malformed].sort()).toEqual(["not-json", "null-message"]); // reported, skipped, the rest still done
    expect((await ns.redis.hkeys(keys.unacked)).sort()).toEqual([tags[1], "not-json", "null-message"].sort());
    // As kombu's restore_visible (newest first, each RPUSHed onto the consumer end): the oldest delivery runs first.
    expect((await byStep(ns, "mail"))["3"]!.map((m) => parse(m).properties.delivery_tag)).toEqual([tags[0], tags[2]]);
  });
});
