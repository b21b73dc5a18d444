// "Orphaned" is one set everywhere. A real Celery 5.2 worker holds an ETA task (scheduled) and two rate-limited
// tasks (in its token bucket, listed by no inspect command); all three are older than the visibility timeout, so
// kombu's restore_visible would put them back, but none is orphaned: the page's count, the orphan set the
// requeue action uses, and the requeue itself leave them alone (no duplicate run). Once the worker is SIGKILLed,
// the same three are orphaned and requeued.
import { describe, expect, it } from "vitest";
import type { BrokerConfig } from "@/server/config";
import { all, byStep, markersWith, celeryTestNamespace } from "@/server/testing/queue-ops";
import { requeueOrphans } from "@/server/queue-ops/orphans";
import { produce, startCeleryWorker, testRedisUrl, waitFor } from "@/server/testing/harness";
import { withBroker } from "./connections";
import { layoutOf, unackedKeys } from "./kombu-keys";
import { ping, rateLimit } from "./pidbox";
import { currentOrphans, sampleBroker } from "./sampler";

const freshNamespace = celeryTestNamespace({ sampler: true });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const thresholds = { thresholds: { queueDepth: 200 }, queueThresholds: {} };

describe("orphaned vs held vs what kombu would restore", () => {
  it("never counts or requeues what a live worker holds (ETA, rate-limited), and does once the worker is gone", async () => {
    const ns = await freshNamespace();
    const broker: BrokerConfig = {
      name: "orphans-held",
      url: testRedisUrl(Number(process.env.LEAKWATCH_QUEUE_OPS_TEST_DB ?? 1)),
      globalKeyprefix: ns.prefix,
      prioritySteps: ns.prioritySteps as number[],
      visibilityTimeoutSeconds: 3,
      queues: ["conversation"],
    };
    const worker = startCeleryWorker({
      queues: ["conversation"],
      hostname: `held-${process.pid}`,
      concurrency: 2,
      env: { ...ns.env(), PREFETCH_MULTIPLIER: "4" },
    });
    await worker.waitReady();
    const host = await waitFor(async () => Object.keys(await ping(broker, { expectReplies: 1 }))[0], {
      timeoutMs: 20_000,
      what: "the worker",
    });
    expect((await rateLimit(broker, "tasks.record", "1/m", { destination: [host] }))[host]).toEqual({
      ok: "new rate limit set successfully",
    });

    // One runs at once; the next two wait in the worker's token bucket (a minute apart); one waits for its ETA.
    await produce({
      queue: "conversation",
      task: "tasks.record",
      count: 3,
      markerPrefix: `${ns.markerPrefix}r`,
      env: ns.env(),
    });
    await produce({
      queue: "conversation",
      task: "tasks.record",
      count: 1,
      countdownSeconds: 600,
      markerPrefix: `${ns.markerPrefix}e`,
      env: ns.env(),
    });
    const keys = unackedKeys(layoutOf(broker));
    await waitFor(
      async () =>
        ((await ns.redis.hlen(keys.unacked)) === 3 && (await markersWith(`${ns.markerPrefix}r`)).length === 1) ||
        undefined,
      {
        what: "one task run, three held unacked",
        timeoutMs: 30_000,
      },
    );
    await sleep(4_000); // past the visibility timeout (3 s) and the inventory's grace

    const summary = await sampleBroker(broker, thresholds);
    const q = summary.queues.find((x) => x.name === "conversation");
    expect(q).toMatchObject({ unacked: 3, orphaned: 0, rateLimited: 2, kombuRestorable: 3, status: "ok" });
    const orphans = await currentOrphans(broker);
    expect(orphans).toMatchObject({ known: true, tags: [], kombuRestorable: 3 });
    const none = await withBroker(broker, (r) =>
      requeueOrphans(r, { ...layoutOf(broker), deliveryTags: orphans.tags }),
    );
    expect(none.requeued).toBe(0);
    expect(await ns.redis.hlen(keys.unacked)).toBe(3);
    expect(all(await byStep(ns, "conversation"))).toEqual([]);

    await worker.stop("SIGKILL");
    await sleep(2_500);
    const gone = await currentOrphans(broker);
    expect(gone).toMatchObject({ known: true, byQueue: { conversation: 3 } });
    const back = await withBroker(broker, (r) => requeueOrphans(r, { ...layoutOf(broker), deliveryTags: gone.tags }));
    expect(back).toMatchObject({ requeued: 3, byQueue: { conversation: 3 } });
    expect(all(await byStep(ns, "conversation"))).toHaveLength(3);
    // Nothing ran twice: the first rate-limited task ran once, the others not at all.
    expect(await markersWith(`${ns.markerPrefix}r`)).toEqual([`${ns.markerPrefix}r-0`]);
    expect(await markersWith(`${ns.markerPrefix}e`)).toEqual([]);
  });
});
