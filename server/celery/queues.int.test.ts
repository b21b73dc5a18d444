import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { DIFY_QUEUES, type BrokerConfig } from "@/server/config";
import { SourceUnavailableError } from "@/server/errors";
import {
  flushTestRedis,
  kombuCount,
  produce,
  startCeleryWorker,
  stopAllProcesses,
  testRedisUrl,
  waitFor,
  type WorkerHandle,
} from "@/server/testing/harness";
import { closeAllBrokers, withBroker } from "./connections";
import { getQueueDetail, resetSamplerState, sampleBroker } from "./sampler";

// Real Celery 5.2 producers and workers (fixtures/celery) on the test Redis, db 1.

const thresholds = { thresholds: { queueDepth: 200 }, queueThresholds: {} };

function brokerConfig(over: Partial<BrokerConfig> = {}): BrokerConfig {
  return {
    name: "test",
    url: testRedisUrl(1),
    globalKeyprefix: "",
    prioritySteps: [0, 3, 6, 9],
    visibilityTimeoutSeconds: 3600,
    queues: [...DIFY_QUEUES],
    ...over,
  };
}

const workers: WorkerHandle[] = [];
function worker(o: Parameters<typeof startCeleryWorker>[0]): WorkerHandle {
  const w = startCeleryWorker(o);
  workers.push(w);
  return w;
}

beforeEach(async () => {
  await flushTestRedis([1, 2]);
  resetSamplerState();
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop("SIGKILL", 1_000)));
  closeAllBrokers();
});
afterAll(async () => {
  await stopAllProcesses("SIGKILL");
  await flushTestRedis([1, 2]);
});

describe.each([
  ["no prefix", ""],
  ["global_keyprefix", "lw:"],
])("depth of every Dify queue equals kombu's count (%s)", (_label, prefix) => {
  it("sums the priority sub-lists like kombu", async () => {
    const env: Record<string, string> = prefix
      ? { BROKER_TRANSPORT_OPTIONS: JSON.stringify({ global_keyprefix: prefix }) }
      : {};
    await produce({ allDify: true, count: 48, priority: "mix", env });
    await produce({ queue: "dataset", count: 7, priority: 6, env });
    await produce({ queue: "mail", count: 5, priority: 2, env }); // 2 lands in step 0
    const summary = await sampleBroker(brokerConfig({ globalKeyprefix: prefix }), thresholds);
    const reference = await kombuCount([...DIFY_QUEUES], env);

    expect(summary.ok).toBe(true);
    for (const q of DIFY_QUEUES) {
      const mine = summary.queues.find((s) => s.name === q);
      expect(mine?.depth, q).toBe(reference.counts[q]);
      expect(mine?.origins).toEqual(["configured", "binding"]);
    }
    const dataset = summary.queues.find((s) => s.name === "dataset");
    // --all-dify with "mix" gives queue i the priority 0,3,6,9 of i % 4; dataset is index 2 -> 6.
    expect(dataset?.byPriority).toEqual({ "0": 0, "3": 0, "6": 10, "9": 0 });
    // mail (index 4) got 3 messages at priority 0, plus 5 at priority 2, which kombu files under step 0.
    expect(summary.queues.find((s) => s.name === "mail")?.byPriority["0"]).toBe(8);
    // No worker consumes anything: every non-empty queue is critical.
    expect(dataset?.status).toBe("critical");
    expect(dataset?.consumers).toEqual([]);
  });
});

describe("in-flight messages held by a real worker", () => {
  it("counts running, prefetched and ETA-waiting messages, matching kombu's unacked hash", async () => {
    const w = worker({
      queues: ["workflow", "dataset"],
      hostname: "inflight",
      pool: "threads",
      concurrency: 1,
      env: { TASK_ACKS_LATE: "1", PREFETCH_MULTIPLIER: "2" },
    });
    await w.waitReady();
    const broker = brokerConfig();
    // ETA messages first: each one raises the worker's prefetch limit (Celery does that for ETA tasks),
    // so they cannot be starved by the slow tasks filling the prefetch window.
    await produce({ queue: "dataset", task: "tasks.index_document", countdownSeconds: 300, count: 3 });
    await waitFor(async () => (await kombuCount(["dataset"])).unacked === 3, {
      timeoutMs: 30_000,
      what: "ETA messages taken",
    });
    await produce({ task: "tasks.slow", slowSeconds: 120, count: 5 });

    const summary = await waitFor(
      async () => {
        const s = await sampleBroker(broker, thresholds);
        const wf = s.queues.find((q) => q.name === "workflow");
        const ds = s.queues.find((q) => q.name === "dataset");
        return ds?.unacked === 3 && (wf?.unacked ?? 0) >= 2 && s;
      },
      { timeoutMs: 30_000, what: "worker to take messages" },
    );
    const reference = await kombuCount(["workflow", "dataset"]);
    const wf = summary.queues.find((q) => q.name === "workflow");
    const ds = summary.queues.find((q) => q.name === "dataset");
    expect((wf?.unacked ?? 0) + (ds?.unacked ?? 0)).toBe(reference.unacked);
    expect(wf?.depth).toBe(reference.counts.workflow);
    expect((wf?.depth ?? 0) + (wf?.unacked ?? 0)).toBe(5);
    expect(wf?.consumers).toEqual([expect.stringMatching(/^inflight@/)]);
    expect(wf?.orphaned).toBe(0);

    const detail = await getQueueDetail(broker, "workflow");
    expect(detail.inFlight).toMatchObject({ running: 1, etaWaiting: 0, orphaned: 0 });
    expect(detail.inFlight?.prefetched).toBe((wf?.unacked ?? 0) - 1);
    expect(await getQueueDetail(broker, "dataset").then((d) => d.inFlight)).toMatchObject({
      etaWaiting: 3,
      running: 0,
      orphaned: 0,
    });
  });

  it("reports messages of a SIGKILLed worker as orphaned once the visibility timeout passes", async () => {
    const env = { BROKER_TRANSPORT_OPTIONS: JSON.stringify({ visibility_timeout: 5 }), PREFETCH_MULTIPLIER: "3" };
    const w = worker({ queues: ["workflow"], hostname: "doomed", pool: "threads", concurrency: 1, env });
    await w.waitReady();
    await produce({ task: "tasks.slow", slowSeconds: 120, count: 4, env });
    const broker = brokerConfig({ visibilityTimeoutSeconds: 5 });
    await waitFor(async () => (await kombuCount(["workflow"], env)).unacked >= 2, {
      timeoutMs: 30_000,
      what: "prefetch",
    });
    await w.stop("SIGKILL", 1_000);
    const held = (await kombuCount(["workflow"], env)).unacked;

    const summary = await waitFor(
      async () => {
        const s = await sampleBroker(broker, thresholds);
        return s.queues.find((q) => q.name === "workflow" && q.orphaned === held) && s;
      },
      { timeoutMs: 20_000, intervalMs: 1_000, what: "orphans after the visibility timeout" },
    );
    const wf = summary.queues.find((q) => q.name === "workflow");
    expect(wf?.unacked).toBe(held);
    expect(wf?.status).toBe("warn"); // orphaned messages make the queue warn even when nothing waits
    expect(wf?.consumers).toEqual([]);
  });
});

describe("composition and the next message", () => {
  it("reads the end kombu pops next, from the highest-priority non-empty list", async () => {
    await produce({ queue: "dataset", task: "tasks.index_document", count: 3, priority: 6 });
    await produce({ queue: "dataset", task: "tasks.send_mail", count: 2, priority: 0 });
    const broker = brokerConfig();
    const detail = await getQueueDetail(broker, "dataset");
    expect(detail.composition.byTask).toEqual([
      { task: "tasks.index_document", count: 3 },
      { task: "tasks.send_mail", count: 2 },
    ]);
    expect(detail.composition.next).toMatchObject({ step: 0, task: "tasks.send_mail", retries: 0 });
    expect(detail.composition.next?.args).toBeUndefined();

    // kombu itself must pop the very message we call next.
    const popped = await withBroker(broker, (r) => r.rpop("dataset"));
    expect(JSON.parse(popped ?? "{}").headers.id).toBe(detail.composition.next?.id);
    const withArgs = await getQueueDetail(broker, "dataset", { showArgs: true });
    expect(withArgs.composition.next?.args).toEqual(["user1@example.invalid"]);
  });
});

describe("an unreachable broker", () => {
  it("fails fast with SourceUnavailableError and a not-ok summary", async () => {
    const down = brokerConfig({ name: "down", url: "redis://:secret@127.0.0.1:1/1" });
    await expect(withBroker(down, (r) => r.ping())).rejects.toBeInstanceOf(SourceUnavailableError);
    const s = await sampleBroker(down, thresholds);
    expect(s).toMatchObject({ name: "down", ok: false, sampledAt: null, queues: [] });
    expect(s.error).toMatch(/redis:down/);
    expect(s.error).not.toContain("secret");
  });

  it("recovers by itself when the broker comes back", async () => {
    const port = 6392 + Math.floor(Math.random() * 500);
    const broker = brokerConfig({ name: "flappy", url: `redis://127.0.0.1:${port}/1` });
    await expect(withBroker(broker, (r) => r.ping())).rejects.toBeInstanceOf(SourceUnavailableError);
    const { spawnGroup } = await import("@/server/testing/harness");
    const server = spawnGroup("redis-server", [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
    ]);
    try {
      await waitFor(async () => (await withBroker(broker, (r) => r.ping())) === "PONG", {
        timeoutMs: 15_000,
        what: "reconnect",
      });
    } finally {
      await server.stop("SIGTERM", 2_000);
    }
  });
});
