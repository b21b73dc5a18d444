import Redis from "ioredis";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { DIFY_QUEUES, type BrokerConfig } from "@/server/config";
import type { BrokerSummary } from "@/server/schemas/queues";
import {
  flushTestRedis,
  produce,
  startCeleryWorker,
  stopAllProcesses,
  testRedisUrl,
  waitFor,
  type WorkerHandle,
} from "@/server/testing/harness";
import { closeAllBrokers, withBroker } from "./connections";
import { bindingKey, layoutOf, replyExchange } from "./kombu-keys";
import { decodeKombuBody } from "./envelope";
import { activeQueues, addConsumer, broadcast, cancelConsumer, lastControlAt, ping, rateLimit, stats } from "./pidbox";
import { listWorkers, resetSamplerState, sampleBroker } from "./sampler";
import { getWorkerInventory, poolKind, SETTLE_MS, SLOW_EVERY_MS } from "./workers";

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

// Issue 11 item 8 / issue 18 goal 2: replies are waited for per reply with a blocking read, as kombu's _collect does.
describe("waiting for replies", () => {
  /** The record db (2) the fixture's leakwatch_gate control command blocks on. */
  async function withRecords<T>(fn: (r: Redis) => Promise<T>): Promise<T> {
    const r = new Redis(testRedisUrl(2), { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await r.connect();
      return await fn(r);
    } finally {
      r.disconnect();
    }
  }

  it("collects the replies of a worker that answers late, after the requests were published", async () => {
    const gate = `leakwatch:test:gate:${process.pid}:${Date.now()}`;
    await withRecords((r) => r.del(gate, `${gate}:entered`));
    const w = start({ queues: ["dataset", "mail"], hostname: "late", pool: "threads", concurrency: 2 });
    await w.waitReady();
    const host = await waitFor(async () => Object.keys(await ping(broker, { expectReplies: 1 }))[0], {
      timeoutMs: 20_000,
      what: "the worker to answer ping",
    });

    // Hold the worker's control consumer in a handler (fire and forget) and wait until it is inside.
    await broadcast(broker, "leakwatch_gate", { key: gate }, { reply: false, destination: [host] });
    await waitFor(async () => (await withRecords((r) => r.llen(`${gate}:entered`))) > 0, {
      timeoutMs: 20_000,
      what: "the worker to enter the gate",
    });

    // The console's whole inventory round is asked while the worker cannot answer anything.
    const inventory = getWorkerInventory(broker, 8_000);
    const bindings = bindingKey(layoutOf(broker), replyExchange(layoutOf(broker)));
    await waitFor(async () => (await withBroker(broker, (r) => r.scard(bindings))) === 6, {
      timeoutMs: 20_000,
      intervalMs: 20,
      what: "all six inventory requests to be published and waiting",
    });
    // Nothing can have answered yet: the worker is still held.
    expect(await withRecords((r) => r.llen(gate))).toBe(0);
    await withRecords((r) => r.lpush(gate, "open"));

    const inv = await inventory;
    expect(inv.error).toBeNull();
    const me = inv.workers.find((x) => x.hostname === host);
    // Pool, concurrency and queues come only from the pidbox replies (stats, active_queues), never from heartbeats.
    expect(me && [me.alive, me.pool, me.concurrency, me.queues]).toEqual([true, "threads", 2, ["dataset", "mail"]]);
    expect(inv.consumersByQueue.get("mail")).toEqual([host]);
    // Every live worker answered active/reserved/scheduled/registered: the held set is complete.
    expect(inv.held).not.toBeNull();
    expect(await replyKeysLeft(broker)).toEqual([]);
  });

  it("publishes a broker pass's depths while its pidbox round still waits, then merges the late replies", async () => {
    const gate = `leakwatch:test:gate:${process.pid}:${Date.now()}:pass`;
    await withRecords((r) => r.del(gate, `${gate}:entered`));
    const w = start({ queues: ["mail"], hostname: "gated", pool: "threads", concurrency: 2 });
    await w.waitReady();
    const host = await waitFor(async () => Object.keys(await ping(broker, { expectReplies: 1 }))[0], {
      timeoutMs: 20_000,
      what: "the worker to answer ping",
    });
    const thresholds = { thresholds: { queueDepth: 100 }, queueThresholds: {} };
    const first = await sampleBroker(broker, thresholds);
    expect(first.queues.find((q) => q.name === "mail")?.consumers).toEqual([host]);

    // The worker is held in a control handler, and five tasks wait in a queue nobody consumes.
    await broadcast(broker, "leakwatch_gate", { key: gate }, { reply: false, destination: [host] });
    await waitFor(async () => (await withRecords((r) => r.llen(`${gate}:entered`))) > 0, {
      timeoutMs: 20_000,
      what: "the worker to enter the gate",
    });
    expect((await produce({ queue: "dataset", count: 5 })).sent).toBe(5);

    let early!: (s: BrokerSummary) => void;
    const earlySeen = new Promise<BrokerSummary>((resolve) => (early = resolve));
    const pass = sampleBroker(broker, { ...thresholds, pidboxTimeoutMs: 8_000, onDepths: early });
    const e = await earlySeen;
    // The pidbox round is still under way (its reply bindings exist until it ends) and the worker answered nothing.
    const bindings = bindingKey(layoutOf(broker), replyExchange(layoutOf(broker)));
    expect(await withBroker(broker, (r) => r.scard(bindings))).toBeGreaterThan(0);
    expect(await withRecords((r) => r.llen(gate))).toBe(0);
    expect(e.workersPending).toBe(true);
    expect(e.queues.find((q) => q.name === "dataset")?.depth).toBe(5);
    // Consumers as the previous pass left them.
    expect(e.queues.find((q) => q.name === "mail")?.consumers).toEqual([host]);

    await withRecords((r) => r.lpush(gate, "open"));
    const full = await pass;
    expect(full.ok).toBe(true);
    expect(full.workersPending).toBeUndefined();
    expect(full.queues.find((q) => q.name === "dataset")?.depth).toBe(5);
    expect(full.queues.find((q) => q.name === "dataset")?.status).toBe("critical"); // waiting, nobody consumes it
    // The worker's late answers are in the full summary.
    expect(full.queues.find((q) => q.name === "mail")?.consumers).toEqual([host]);
    expect(full.error).toBeNull();
  });

  it("blocks in BRPOP on a connection of its own instead of polling the reply lists", async () => {
    const prefix = `lwcount${process.pid}:`;
    const b = { ...broker, globalKeyprefix: prefix };
    const w = start({
      queues: ["dataset"],
      hostname: "counted",
      env: { BROKER_TRANSPORT_OPTIONS: JSON.stringify({ global_keyprefix: prefix }) },
    });
    await w.waitReady();
    const host = await waitFor(async () => Object.keys(await ping(b, { expectReplies: 1 }))[0], {
      timeoutMs: 20_000,
      what: "the worker to answer ping",
    });

    // MONITOR sees every command of every client; only reads of reply queues under this test's prefix are counted
    // (the worker's own BRPOP on its task queues is not).
    const monitor = await new Redis(testRedisUrl(1)).monitor();
    const seen: { command: string; source: string }[] = [];
    const marker = `${prefix}end-of-count`;
    let markerSeen = false;
    monitor.on("monitor", (_time: string, args: string[], source: string) => {
      const command = String(args[0]).toUpperCase();
      if (args.some((a) => String(a) === marker)) markerSeen = true;
      else if (
        (command === "BRPOP" || command === "RPOP") &&
        args.slice(1).some((a) => String(a).startsWith(prefix) && String(a).includes(".reply.celery.pidbox"))
      )
        seen.push({ command, source });
    });
    try {
      // Seven requests that each wait their full timeout after the last reply (no expectReplies): a 40 ms poll of
      // four lists would issue about 150 RPOPs per request here.
      const pong = await ping(b, { timeoutMs: 1_500 });
      const inv = await getWorkerInventory(b, 1_500);
      expect(Object.keys(pong)).toEqual([host]);
      expect(inv.workers.find((x) => x.hostname === host)?.queues).toEqual(["dataset"]);
      await withBroker(b, (r) => r.get(marker));
      await waitFor(() => markerSeen, { timeoutMs: 10_000, intervalMs: 20, what: "MONITOR to catch up" });

      const requests = 7;
      const brpops = seen.filter((c) => c.command === "BRPOP");
      expect(seen.filter((c) => c.command === "RPOP")).toEqual([]);
      // One BRPOP per reply plus the one that times out: 2 per request here; polling would exceed this a hundredfold.
      expect(brpops.length).toBeGreaterThanOrEqual(requests);
      expect(brpops.length).toBeLessThan(10 * requests);
      // Every blocking read ran on a blocking connection, never on the shared client.
      const names = await withBroker(b, async (r) => {
        const list = String(await r.client("LIST"));
        return new Map(
          list
            .split("\n")
            .map((line) => [/ addr=(\S+)/.exec(line)?.[1], / name=(\S*)/.exec(line)?.[1]] as const)
            .filter((p): p is [string, string] => Boolean(p[0])),
        );
      });
      expect(new Set(brpops.map((c) => names.get(c.source)))).toEqual(new Set(["leakwatch-block"]));
    } finally {
      monitor.disconnect();
    }
  });
});

describe("inventory cadence", () => {
  it("asks active_queues and registered every SLOW_EVERY_MS, and at once after a consumer change or a new worker", async () => {
    const methods: string[] = [];
    const sub = new Redis(testRedisUrl(1), { lazyConnect: true });
    await sub.connect();
    await sub.psubscribe("*celery.pidbox");
    sub.on("pmessageBuffer", (_p: Buffer, _c: Buffer, raw: Buffer) => {
      const d = decodeKombuBody(raw);
      const body = d.ok ? (d.value.body as { method?: unknown }) : null;
      if (typeof body?.method === "string") methods.push(body.method);
    });
    try {
      const w1 = start({ queues: ["dataset"], hostname: "cad1", pool: "threads", concurrency: 2 });
      await w1.waitReady();
      const h1 = await waitFor(
        async () => Object.keys(await ping(broker, { timeoutMs: 1_500, expectReplies: 1 }))[0] ?? false,
        { timeoutMs: 20_000, what: "the worker to answer ping" },
      );
      const t0 = Date.now();
      const round = async (atMs: number) => {
        methods.length = 0;
        const inv = await getWorkerInventory(broker, 1_500, { nowMs: atMs });
        await new Promise((r) => setTimeout(r, 200)); // the subscriber has read every publish
        return { asked: [...methods].filter((m) => m !== "ping").sort(), inv };
      };
      const all = ["active", "active_queues", "registered", "reserved", "scheduled", "stats"];
      const fast = ["active", "reserved", "scheduled", "stats"];

      const first = await round(t0);
      expect(first.asked).toEqual(all);
      expect(first.inv.consumersByQueue.get("dataset")).toEqual([h1]);

      // Within SLOW_EVERY_MS: the kept answers stand in, and still say who consumes what.
      const second = await round(t0 + 5_000);
      expect(second.asked).toEqual(fast);
      expect(second.inv.consumersByQueue.get("dataset")).toEqual([h1]);
      expect(second.inv.workers.find((w) => w.hostname === h1)?.queues).toEqual(["dataset"]);
      expect(second.inv.held).not.toBeNull();

      // A consumer change makes the next round ask everything, and it sees the change.
      await cancelConsumer(broker, "dataset", { destination: [h1] });
      const third = await round(t0 + 10_000);
      expect(third.asked).toEqual(all);
      expect(third.inv.consumersByQueue.get("dataset")).toBeUndefined();

      // Celery 5.2 replies to add_consumer before it consumes, so the round right after it may not show the queue:
      // every round within SETTLE_MS of the command asks everything again, not only the first one after it.
      await addConsumer(broker, "dataset", { destination: [h1] });
      expect((await round(t0 + 10_500)).asked).toEqual(all);
      const settling = await round(t0 + 11_000);
      expect(settling.asked).toEqual(all);
      expect(settling.inv.consumersByQueue.get("dataset")).toEqual([h1]);

      // A worker the kept answers do not cover: everything is asked within two rounds, and it is listed with its queue.
      const w2 = start({ queues: ["mail"], hostname: "cad2", pool: "threads", concurrency: 2 });
      await w2.waitReady();
      // The settling time of the add_consumer above is over before the rounds that count on kept answers.
      await new Promise((r) => setTimeout(r, Math.max(0, lastControlAt(broker.name) + SETTLE_MS + 100 - Date.now())));
      let r = await round(t0 + 15_000);
      if (!r.asked.includes("active_queues")) {
        expect(r.asked).toEqual(fast);
        r = await round(t0 + 20_000);
      }
      expect(r.asked).toEqual(all);
      expect(r.inv.consumersByQueue.get("mail")?.[0]).toMatch(/^cad2@/);

      // Nothing new for SLOW_EVERY_MS: asked again in full.
      expect((await round(t0 + 25_000)).asked).toEqual(fast);
      expect((await round(t0 + 25_000 + SLOW_EVERY_MS)).asked).toEqual(all);

      // Restarted under the same name with another -Q: its new pid in `stats` makes the next round ask everything.
      await w2.stop("SIGTERM", 10_000);
      const again = start({ queues: ["mail", "dataset"], hostname: "cad2", pool: "threads", concurrency: 2 });
      await again.waitReady();
      const t1 = t0 + 30_000 + SLOW_EVERY_MS;
      expect((await round(t1)).asked).toEqual(fast);
      const after = await round(t1 + 5_000);
      expect(after.asked).toEqual(all);
      expect(after.inv.consumersByQueue.get("dataset")).toContainEqual(expect.stringMatching(/^cad2@/));
    } finally {
      sub.disconnect();
    }
  });
});
