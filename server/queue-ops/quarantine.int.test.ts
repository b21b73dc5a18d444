// Purge-to-quarantine and restore against real Celery 5.2: nothing is deleted, priorities survive,
// and after a restore a real worker runs every task exactly once.
import { describe, expect, it } from "vitest";
import { produce, startCeleryWorker, waitFor } from "@/server/testing/harness";
import {
  all,
  byStep,
  exceptRoutes,
  expectedMarkers,
  markersWith,
  celeryTestNamespace,
  parse,
  routeOf,
} from "@/server/testing/queue-ops";
import { listQuarantines, purgeToQuarantine, QUARANTINE_INDEX, restoreQuarantine } from "./quarantine";

const freshNamespace = celeryTestNamespace();

describe("quarantine", () => {
  it("purges into a quarantine, restores it by priority, and a worker then runs each task exactly once", async () => {
    const ns = await freshNamespace();
    const { sent } = await produce({
      queue: "conversation",
      task: "tasks.record",
      count: 80,
      priority: "mix",
      markerPrefix: ns.markerPrefix,
      env: ns.env(),
    });
    const original = await byStep(ns, "conversation");
    const now = new Date("2025-03-04T05:06:07.089Z");

    const q = await purgeToQuarantine(ns.redis, {
      ...ns,
      queue: "conversation",
      retentionSeconds: 3600,
      now,
      batchSize: 9,
    });
    expect(q).toMatchObject({
      quarantine: "leakwatch.quarantine.conversation.20250304T050607089Z",
      queue: "conversation",
      count: sent,
      countByPriority: { "0": 20, "3": 20, "6": 20, "9": 20 },
      created: now.toISOString(),
      expiresAt: "2025-03-04T06:06:07.089Z",
      state: "complete",
    });
    expect(all(await byStep(ns, "conversation"))).toEqual([]);
    // Same bytes but the route, same sub-lists, same order; each now routed (for kombu's redelivery) to the quarantine.
    expect(exceptRoutes(await byStep(ns, q.quarantine))).toEqual(exceptRoutes(original));
    expect(new Set(all(await byStep(ns, q.quarantine)).map(routeOf))).toEqual(new Set([`/${q.quarantine}`]));
    expect(JSON.parse((await ns.redis.hget(`${ns.prefix}${QUARANTINE_INDEX}`, q.quarantine))!)).toMatchObject({
      count: sent,
      state: "complete",
    });

    // Listed, and shown as expired once past retention, but never deleted by the console.
    const later = new Date(now.getTime() + 2 * 3600_000);
    expect(await listQuarantines(ns.redis, ns, later)).toMatchObject([
      { quarantine: q.quarantine, depth: sent, expired: true },
    ]);
    expect(all(await byStep(ns, q.quarantine))).toHaveLength(sent);

    const restored = await restoreQuarantine(ns.redis, { ...ns, quarantine: q.quarantine });
    expect(restored).toMatchObject({ moved: sent, state: "restored", restoredCount: sent, cancelled: false });
    expect(exceptRoutes(await byStep(ns, "conversation"))).toEqual(exceptRoutes(original));
    expect(new Set(all(await byStep(ns, "conversation")).map(routeOf))).toEqual(new Set(["/conversation"]));
    for (const [step, msgs] of Object.entries(await byStep(ns, "conversation")))
      for (const m of msgs) expect(String(parse(m).properties.priority)).toBe(step);

    const worker = startCeleryWorker({
      queues: ["conversation"],
      hostname: `qo-q-${process.pid}`,
      concurrency: 4,
      env: ns.env(),
    });
    await worker.waitReady();
    await waitFor(async () => (await markersWith(ns.markerPrefix)).length >= sent || undefined, {
      what: "all markers",
      timeoutMs: 90_000,
    });
    await new Promise((r) => setTimeout(r, 1500)); // room for a duplicate to show up
    expect((await markersWith(ns.markerPrefix)).sort()).toEqual(expectedMarkers(ns.markerPrefix, sent));
  });

  it("refuses to purge a quarantine and records a cancelled purge as partial", async () => {
    const ns = await freshNamespace();
    await expect(
      purgeToQuarantine(ns.redis, { ...ns, queue: "leakwatch.quarantine.x.1", retentionSeconds: 60 }),
    ).rejects.toThrow(/cannot be purged/);
    const { sent } = await produce({ queue: "mail", task: "tasks.send_mail", count: 300, env: ns.env() });
    const abort = new AbortController();
    const q = await purgeToQuarantine(ns.redis, {
      ...ns,
      queue: "mail",
      retentionSeconds: 60,
      batchSize: 20,
      signal: abort.signal,
      onProgress: (p) => p.moved >= 100 && abort.abort(),
    });
    expect(q.state).toBe("partial");
    expect(q.count + all(await byStep(ns, "mail")).length).toBe(sent);
    expect(all(await byStep(ns, q.quarantine))).toHaveLength(q.count);
  });
});
