import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { DIFY_QUEUES, type BrokerConfig } from "@/server/config";
import {
  flushTestRedis,
  startCeleryWorker,
  stopAllProcesses,
  testRedisUrl,
  waitFor,
  type WorkerHandle,
} from "@/server/testing/harness";
import { closeAllBrokers, withBroker } from "./connections";
import { activeQueues, broadcast, ping, rateLimit, stats } from "./pidbox";
import { listWorkers, resetSamplerState } from "./sampler";
import { poolKind } from "./workers";

// Remote control against real Celery 5.2 workers over the test Redis (db 1).

const broker: BrokerConfig = {
  name: "pidbox-test",
  url: testRedisUrl(1),
  globalKeyprefix: "",
  prioritySteps: [0, 3, 6, 9],
  visibilityTimeoutSeconds: 3600,
  queues: [...DIFY_QUEUES],
};

const workers: WorkerHandle[] = [];
beforeEach(async () => {
  await flushTestRedis([1]);
  resetSamplerState();
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop("SIGKILL", 1_000)));
  closeAllBrokers();
});
afterAll(async () => {
  await stopAllProcesses("SIGKILL");
  await flushTestRedis([1]);
});

async function replyKeysLeft(b: BrokerConfig): Promise<string[]> {
  return withBroker(b, async (r) => {
    const found: string[] = [];
    let cursor = "0";
    do {
      const [next, keys] = await r.scan(cursor, "MATCH", "*reply.celery.pidbox*", "COUNT", 1000);
      cursor = next;
      found.push(...keys);
    } while (cursor !== "0");
    return found;
  });
}

function start(o: Parameters<typeof startCeleryWorker>[0]): WorkerHandle {
  const w = startCeleryWorker(o);
  workers.push(w);
  return w;
}

describe.each([
  ["no prefix", ""],
  ["global_keyprefix", "lwp:"],
])("pidbox with real workers (%s)", (_label, prefix) => {
  it("gets ping, stats and active_queues from every worker and leaves no reply keys", async () => {
    const b = { ...broker, globalKeyprefix: prefix };
    const env: Record<string, string> = prefix
      ? { BROKER_TRANSPORT_OPTIONS: JSON.stringify({ global_keyprefix: prefix }) }
      : {};
    const w1 = start({ queues: ["dataset", "mail"], hostname: "w1", pool: "prefork", concurrency: 2, env });
    const w2 = start({ queues: ["workflow"], hostname: "w2", pool: "threads", concurrency: 3, env });
    await Promise.all([w1.waitReady(), w2.waitReady()]);

    const pong = await waitFor(
      async () => {
        const r = await ping(b, { timeoutMs: 1_500, expectReplies: 2 });
        return Object.keys(r).length === 2 && r;
      },
      { timeoutMs: 20_000, what: "both workers to answer ping" },
    );
    const h1 = Object.keys(pong).find((h) => h.startsWith("w1@")) as string;
    const h2 = Object.keys(pong).find((h) => h.startsWith("w2@")) as string;
    expect(pong[h1]).toEqual({ ok: "pong" });

    const st = await stats(b, { expectReplies: 2 });
    const s1 = st[h1] as { pool: Record<string, unknown> };
    const s2 = st[h2] as { pool: Record<string, unknown> };
    expect(poolKind(s1.pool)).toBe("prefork");
    expect(s1.pool["max-concurrency"]).toBe(2);
    expect(s1.pool.processes).toHaveLength(2);
    expect(poolKind(s2.pool)).toBe("threads");
    expect(s2.pool["max-concurrency"]).toBe(3);

    const aq = await activeQueues(b, { destination: [h2] });
    expect(Object.keys(aq)).toEqual([h2]);
    expect((aq[h2] as { name: string }[]).map((q) => q.name)).toEqual(["workflow"]);

    // Concurrent calls do not steal each other's replies.
    const [a, c] = await Promise.all([ping(b, { expectReplies: 2 }), stats(b, { expectReplies: 2 })]);
    expect(Object.keys(a).sort()).toEqual([h1, h2].sort());
    expect(Object.keys(c).sort()).toEqual([h1, h2].sort());

    const list = await listWorkers(b);
    expect(list.map((w) => [w.hostname, w.alive, w.pool, w.concurrency, w.queues])).toEqual([
      [h1, true, "prefork", 2, ["dataset", "mail"]],
      [h2, true, "threads", 3, ["workflow"]],
    ]);
    expect(await replyKeysLeft(b)).toEqual([]);
  });
});

describe("worker liveness", () => {
  // Celery workers publish worker-heartbeat events even without -E (the "worker" event group is always on).
  it("follows worker heartbeats and drops a killed worker from the live list", async () => {
    const w1 = start({ queues: ["dataset"], hostname: "beat", env: { SEND_TASK_EVENTS: "1" } });
    const w2 = start({ queues: ["mail"], hostname: "quiet" });
    await Promise.all([w1.waitReady(), w2.waitReady()]);
    const first = await waitFor(
      async () => {
        const l = await listWorkers(broker);
        return l.length === 2 && l.every((w) => w.via === "heartbeat") && l;
      },
      { timeoutMs: 20_000, intervalMs: 1_000, what: "heartbeats of both workers" },
    );
    expect(first.map((w) => w.alive)).toEqual([true, true]);

    await w1.stop("SIGKILL", 1_000);
    const after = await waitFor(
      async () => {
        const l = await listWorkers(broker);
        return l.find((w) => w.hostname.startsWith("beat@") && !w.alive) && l;
      },
      { timeoutMs: 20_000, intervalMs: 1_000, what: "the killed worker to drop out" },
    );
    expect(after.filter((w) => w.alive).map((w) => w.hostname)).toEqual([expect.stringMatching(/^quiet@/)]);
  });

  it("runs control commands that change a worker (rate_limit) and returns its answer", async () => {
    const w = start({ queues: ["dataset"], hostname: "ctl" });
    await w.waitReady();
    const host = await waitFor(async () => Object.keys(await ping(broker, { expectReplies: 1 }))[0], {
      timeoutMs: 20_000,
    });
    const r = await rateLimit(broker, "tasks.index_document", "5/m", { destination: [host] });
    expect(r[host]).toEqual({ ok: "new rate limit set successfully" });
    const unknown = await broadcast(broker, "no_such_command", {}, { destination: [host] });
    expect(JSON.stringify(unknown[host])).toMatch(/error/i);
    expect(await replyKeysLeft(broker)).toEqual([]);
  });
});
