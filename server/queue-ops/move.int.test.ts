// Atomic moves against a real Celery 5.2 producer and worker on the test Redis (db 1, private prefix).
import { describe, expect, it } from "vitest";
import { produce, startCeleryWorker, startProducer, waitFor } from "@/server/testing/harness";
import {
  all,
  byStep,
  exceptRoute,
  expectedMarkers,
  firstArg,
  markersWith,
  celeryTestNamespace,
  parse,
  routeOf,
} from "@/server/testing/queue-ops";
import { moveMessages } from "./move";

const freshNamespace = celeryTestNamespace();

describe("moveMessages", () => {
  it("loses and duplicates nothing while a producer keeps sending (a worker drains both queues)", async () => {
    const ns = await freshNamespace();
    const producer = startProducer({
      queue: "dataset",
      task: "tasks.record",
      priority: "mix",
      rate: 300,
      markerPrefix: ns.markerPrefix,
      env: ns.env(),
    });
    await waitFor(async () => (await ns.redis.llen(`${ns.prefix}dataset`)) > 20, {
      what: "first messages",
      timeoutMs: 30_000,
    });
    let moved = 0;
    for (let round = 0; round < 5; round++) {
      moved += (await moveMessages(ns.redis, { ...ns, from: "dataset", to: "mail", batchSize: 7 })).moved;
      await new Promise((r) => setTimeout(r, 200));
    }
    await producer.stop("SIGTERM");
    const summary = JSON.parse(
      producer
        .output()
        .trim()
        .split("\n")
        .filter((l) => l.startsWith('{"sent"'))
        .pop()!,
    ) as { sent: number };
    expect(moved).toBeGreaterThan(0);
    expect(summary.sent).toBeGreaterThan(moved);

    const worker = startCeleryWorker({
      queues: ["dataset", "mail"],
      hostname: `qo-move-${process.pid}`,
      concurrency: 4,
      env: ns.env(),
    });
    await worker.waitReady();
    await waitFor(async () => (await markersWith(ns.markerPrefix)).length >= summary.sent || undefined, {
      what: "all markers",
      timeoutMs: 90_000,
    }).catch(async (e) => {
      const left = {
        dataset: all(await byStep(ns, "dataset")).length,
        mail: all(await byStep(ns, "mail")).length,
        unacked: await ns.redis.hlen(`${ns.prefix}unacked`),
      };
      throw new Error(
        `${(e as Error).message}: sent ${summary.sent}, ran ${(await markersWith(ns.markerPrefix)).length}, left ${JSON.stringify(left)}\n${worker.output().slice(-3000)}`,
      );
    });
    await new Promise((r) => setTimeout(r, 1500)); // room for a duplicate to show up
    const markers = (await markersWith(ns.markerPrefix)).sort();
    expect(markers).toEqual(expectedMarkers(ns.markerPrefix, summary.sent));
  });

  it("moves only the named task, keeping the order of both the moved and the staying messages", async () => {
    const ns = await freshNamespace();
    await produce({
      queue: "workflow",
      task: "tasks.record",
      count: 10,
      priority: 3,
      markerPrefix: `${ns.markerPrefix}a`,
      env: ns.env(),
    });
    await produce({ queue: "workflow", task: "tasks.send_mail", count: 10, priority: 3, env: ns.env() });
    await produce({
      queue: "workflow",
      task: "tasks.record",
      count: 10,
      priority: 3,
      markerPrefix: `${ns.markerPrefix}b`,
      env: ns.env(),
    });
    await produce({ queue: "workflow", task: "tasks.send_mail", count: 4, env: ns.env() }); // priority 0 sub-list
    const before = all(await byStep(ns, "workflow"));

    const r = await moveMessages(ns.redis, {
      ...ns,
      from: "workflow",
      to: "conversation",
      taskName: "tasks.record",
      batchSize: 3,
    });
    expect(r).toEqual({
      moved: 20,
      movedByPriority: { "0": 0, "3": 20, "6": 0, "9": 0 },
      notRetargeted: 0,
      cancelled: false,
    });

    const moved = await byStep(ns, "conversation");
    const stayed = all(await byStep(ns, "workflow"));
    expect(moved["3"]!.map((m) => firstArg(parse(m)))).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `${ns.markerPrefix}a-${i}`),
      ...Array.from({ length: 10 }, (_, i) => `${ns.markerPrefix}b-${i}`),
    ]);
    expect(stayed).toEqual(before.filter((m) => parse(m).headers.task !== "tasks.record")); // same bytes, same order
    expect(stayed).toHaveLength(14);
    // Bytes unchanged but the route, which now names the queue the messages are in.
    expect(all(moved).map(exceptRoute)).toEqual(
      before.filter((m) => parse(m).headers.task === "tasks.record").map(exceptRoute),
    );
    expect(new Set(all(moved).map(routeOf))).toEqual(new Set(["/conversation"]));
    expect(new Set(before.map(routeOf))).toEqual(new Set(["/workflow"])); // as Celery published them
  });

  it("moves a given count in consumption order and keeps priorities", async () => {
    const ns = await freshNamespace();
    await produce({
      queue: "plugin",
      task: "tasks.record",
      count: 40,
      priority: "mix",
      markerPrefix: ns.markerPrefix,
      env: ns.env(),
    });
    const r = await moveMessages(ns.redis, { ...ns, from: "plugin", to: "retention", count: 15, batchSize: 4 });
    expect(r.movedByPriority).toEqual({ "0": 10, "3": 5, "6": 0, "9": 0 });
    const target = await byStep(ns, "retention");
    for (const [step, msgs] of Object.entries(target))
      for (const m of msgs) expect(String(parse(m).properties.priority)).toBe(step);
  });

  it("cancelled mid-move, leaves every message in exactly one of the two queues", async () => {
    const ns = await freshNamespace();
    const { sent } = await produce({
      queue: "pipeline",
      task: "tasks.record",
      count: 1200,
      priority: "mix",
      markerPrefix: ns.markerPrefix,
      env: ns.env(),
    });
    const abort = new AbortController();
    const r = await moveMessages(ns.redis, {
      ...ns,
      from: "pipeline",
      to: "ops_trace",
      batchSize: 25,
      signal: abort.signal,
      onProgress: (p) => p.moved >= 400 && abort.abort(),
    });
    expect(r.cancelled).toBe(true);
    expect(r.moved).toBeGreaterThanOrEqual(400);
    expect(r.moved).toBeLessThan(sent);
    const source = all(await byStep(ns, "pipeline")).map((m) => firstArg(parse(m)));
    const target = all(await byStep(ns, "ops_trace")).map((m) => firstArg(parse(m)));
    expect(target).toHaveLength(r.moved);
    expect([...source, ...target].sort()).toEqual(expectedMarkers(ns.markerPrefix, sent));
  });
});
