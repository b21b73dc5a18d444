// Queue and worker actions through POST /api/actions against real Celery 5.2 workers on the test Redis: purge to
// quarantine and restore, a move while a producer keeps sending, requeue of a killed worker's in-flight messages,
// and remote control (consumers, pool size). Every task is a tasks.record marker, so "exactly once" is counted.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { hostname as osHostname, tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  RUN_ID,
  flushTestRedis,
  kombuCount,
  produce,
  startCeleryWorker,
  startProducer,
  stopAllProcesses,
  testRedisUrl,
  waitFor,
  type WorkerHandle,
} from "@/server/testing/harness";
import { BINARY_NAME_MARKER } from "@/server/celery/kombu-keys";
import { errorCode, postAction, previewAction, startConsole, type TestConsole } from "@/server/testing/action-console";
import {
  celeryActiveQueues,
  childProcesses,
  counts,
  lastJsonWith,
  markersWithPrefix,
} from "@/server/testing/celery-checks";

const BROKER_DB = 5;
const RECORD_DB = 6;
const tag = RUN_ID.replace(/[^a-z0-9]/gi, "").slice(-10);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The console treats a delivery older than 5 s as orphaned. The workers keep kombu's default (1 h): with 5 s they
// would restore the messages themselves (kombu does so at start-up and every 10 s), and the test could no longer
// tell that the console's requeue did it.
const celery = {
  BROKER_URL: testRedisUrl(BROKER_DB),
  RECORD_REDIS_URL: testRedisUrl(RECORD_DB),
  BROKER_TRANSPORT_OPTIONS: JSON.stringify({ visibility_timeout: 3600 }),
};

let lw: TestConsole;
let configDir: string;
const workers: WorkerHandle[] = [];

function worker(
  name: string,
  queues: string[],
  o: { pool?: "threads" | "prefork"; concurrency?: number; env?: Record<string, string> } = {},
): WorkerHandle {
  const w = startCeleryWorker({
    queues,
    hostname: `${name}-${tag}`,
    pool: o.pool ?? "threads",
    concurrency: o.concurrency ?? 4,
    env: { ...celery, ...o.env },
  });
  workers.push(w);
  return w;
}
const fullHostname = (w: WorkerHandle) => w.hostname.replace("%h", osHostname());
const depth = async (queue: string) => (await kombuCount([queue], celery)).counts[queue] ?? 0;
const op = () => lw.users.operator;

/** Starts the worker, waits for one marker per sent task, and checks each ran exactly once. */
async function expectEachRunOnce(w: WorkerHandle, prefix: string, markers: string[]): Promise<void> {
  await w.waitReady();
  await waitFor(async () => (await markersWithPrefix(prefix, RECORD_DB)).length >= markers.length, {
    what: `${markers.length} markers`,
    timeoutMs: 60_000,
  });
  await sleep(1000); // a duplicate would arrive here
  const ran = counts(await markersWithPrefix(prefix, RECORD_DB));
  expect([...ran.keys()].sort()).toEqual([...markers].sort());
  expect([...ran.values()].every((n) => n === 1)).toBe(true);
  await w.stop("SIGTERM");
}

beforeAll(async () => {
  await flushTestRedis([BROKER_DB, RECORD_DB]);
  configDir = await mkdtemp(path.join(tmpdir(), "lw-queue-cfg-"));
  const configFile = path.join(configDir, "leakwatch.json");
  await writeFile(configFile, JSON.stringify({ brokers: { default: { visibility_timeout: 5 } } }));
  lw = await startConsole({ LEAKWATCH_BROKERS: `default=${testRedisUrl(BROKER_DB)}`, LEAKWATCH_CONFIG: configFile });
});

afterAll(async () => {
  await stopAllProcesses("SIGKILL");
  await lw?.close();
  await flushTestRedis([BROKER_DB, RECORD_DB]);
  await rm(configDir, { recursive: true, force: true });
});

describe("purge to quarantine and restore", () => {
  it("moves every message aside, puts them back, and a worker then runs each exactly once", async () => {
    const prefix = `pq-${tag}`;
    const sent = await produce({
      queue: "dataset",
      count: 25,
      task: "tasks.record",
      priority: "mix",
      markerPrefix: prefix,
      env: celery,
    });
    expect(await depth("dataset")).toBe(25);

    const purge = {
      action: "queue.purge",
      target: { broker: "default", queue: "dataset" },
      params: {},
      reason: "INC-9 poison batch",
    };
    const unconfirmed = await postAction(op(), purge);
    expect({ status: unconfirmed.status, code: errorCode(unconfirmed) }).toEqual({ status: 400, code: "validation" });
    expect(await depth("dataset")).toBe(25);

    const r = await postAction(op(), { ...purge, confirm: "dataset" });
    expect(r.body).toMatchObject({ status: "succeeded", verify: { ok: true } });
    const quarantine = /in (leakwatch\.quarantine\.dataset\.\S+)/.exec(r.body.result ?? "")?.[1];
    expect(quarantine).toBeDefined();
    expect(await depth("dataset")).toBe(0);
    // kombu itself sees the quarantine as a queue of 25 (over its priority sub-lists).
    expect((await kombuCount([quarantine!], celery)).counts[quarantine!]).toBe(25);

    const restore = await postAction(op(), {
      action: "queue.restore-quarantine",
      target: { broker: "default", queue: "dataset" },
      params: { quarantine },
      reason: "INC-9 fixed, run them",
    });
    expect(restore.body).toMatchObject({ status: "succeeded", verify: { ok: true } });
    expect(await depth("dataset")).toBe(25);
    expect((await kombuCount([quarantine!], celery)).counts[quarantine!]).toBe(0);

    await expectEachRunOnce(worker("pq", ["dataset"]), prefix, sent.markers!);
  });
});

describe("a queue whose name is not UTF-8", () => {
  // kombu (through redis-py) only writes UTF-8 names, but Redis keys are bytes and other producers write others. The
  // messages here are real kombu messages (Celery's producer, ten priorities); only their lists are renamed, byte for
  // byte, to a name with 0xFF 0xFE in it. Purge, restore and move must act on exactly those bytes, and the messages
  // then run once each on a real worker after the move into a UTF-8 queue.
  it("is purged, restored and moved by its exact bytes; a worker then runs each task exactly once", async () => {
    const prefix = `bin-${tag}`;
    const src = `binsrc-${tag}`;
    const dst = `bindst-${tag}`;
    const sent = await produce({
      queue: src,
      count: 12,
      task: "tasks.record",
      priority: "mix",
      markerPrefix: prefix,
      env: celery,
    });
    const redis = new Redis(testRedisUrl(BROKER_DB));
    try {
      const srcBytes = Buffer.from(src, "utf8");
      const binBytes = Buffer.concat([
        Buffer.from("bin-", "utf8"),
        Buffer.from([0xff, 0xfe]),
        Buffer.from(tag, "utf8"),
      ]);
      // Every list kombu made for the queue (the plain one and its priority sub-lists): same suffix, new stem.
      const keys = (await redis.keysBuffer(`${src}*`)).filter((k) => k.subarray(0, srcBytes.length).equals(srcBytes));
      expect(keys.length).toBeGreaterThan(1);
      for (const k of keys) await redis.rename(k, Buffer.concat([binBytes, k.subarray(srcBytes.length)]));
      const binLen = async () => {
        let n = 0;
        for (const k of await redis.keysBuffer("bin-*"))
          if (k.subarray(0, binBytes.length).equals(binBytes) && (await redis.type(k)) === "list")
            n += await redis.llen(k);
        return n;
      };
      expect(await binLen()).toBe(12);

      const queue = BINARY_NAME_MARKER + binBytes.toString("base64");
      const target = { broker: "default", queue };
      const purged = await postAction(op(), {
        action: "queue.purge",
        target,
        params: {},
        reason: "INC-11 binary name",
        confirm: queue,
      });
      expect(purged.body).toMatchObject({ status: "succeeded", verify: { ok: true } });
      expect(await binLen()).toBe(0);
      const quarantine = /quarantined in (\S+) \(/.exec(purged.body.result ?? "")?.[1];
      expect(quarantine).toBeDefined();

      const restored = await postAction(op(), {
        action: "queue.restore-quarantine",
        target,
        params: { quarantine },
        reason: "INC-11 put them back",
      });
      expect(restored.body).toMatchObject({ status: "succeeded", verify: { ok: true } });
      expect(await binLen()).toBe(12);

      const moved = await postAction(op(), {
        action: "queue.move",
        target,
        params: { to: dst },
        reason: "INC-11 run them from a queue workers consume",
      });
      expect(moved.body).toMatchObject({ status: "succeeded", verify: { ok: true } });
      expect(moved.body.result).toMatch(/^12 moved/);
      expect(await binLen()).toBe(0);
      // kombu's own count over the destination's lists.
      expect(await depth(dst)).toBe(12);
    } finally {
      redis.disconnect();
    }

    await expectEachRunOnce(worker("bin", [dst]), prefix, sent.markers!);
  });
});

describe("move while producing", () => {
  it("loses and duplicates nothing", async () => {
    const prefix = `mv-${tag}`;
    const producer = startProducer({
      queue: "dataset",
      task: "tasks.record",
      rate: 40,
      markerPrefix: prefix,
      env: celery,
    });
    await waitFor(async () => (await depth("dataset")) >= 20, { what: "a backlog in dataset", timeoutMs: 30_000 });

    const r = await postAction(op(), {
      action: "queue.move",
      target: { broker: "default", queue: "dataset" },
      params: { to: "pipeline" },
      reason: "INC-10 drain dataset through pipeline workers",
    });
    expect(r.body).toMatchObject({ status: "succeeded", verify: { ok: true } });
    const moved = Number(/^(\d+) moved/.exec(r.body.result ?? "")?.[1]);
    expect(moved).toBeGreaterThanOrEqual(20);

    await sleep(1000); // the producer keeps sending into dataset after the move
    await producer.stop("SIGTERM");
    const { sent } = lastJsonWith<{ sent: number }>(producer.output(), "sent");
    expect(sent).toBeGreaterThan(moved);

    // Nobody consumes yet: every message sent is in exactly one of the two queues.
    const c = await kombuCount(["dataset", "pipeline"], celery);
    expect(c.counts.pipeline).toBe(moved);
    expect(c.counts.dataset! + c.counts.pipeline!).toBe(sent);

    const w = worker("mv", ["dataset", "pipeline"]);
    await w.waitReady();
    await waitFor(async () => (await markersWithPrefix(prefix, RECORD_DB)).length >= sent, {
      what: `${sent} markers`,
      timeoutMs: 90_000,
    });
    await sleep(1000);
    const ran = counts(await markersWithPrefix(prefix, RECORD_DB));
    expect(ran.size).toBe(sent);
    expect([...ran.keys()].sort()).toEqual(Array.from({ length: sent }, (_, i) => `${prefix}-${i}`).sort());
    expect([...ran.values()].every((n) => n === 1)).toBe(true);
    await w.stop("SIGTERM");
  });
});

describe("requeue orphaned messages", () => {
  it("hands a SIGKILLed worker's in-flight messages to another worker, each run exactly once", async () => {
    const prefix = `or-${tag}`;
    // Two slow tasks occupy both threads; the six markers behind them are prefetched and wait, unacked.
    await produce({ queue: "dataset", count: 2, task: "tasks.slow", slowSeconds: 15, env: celery });
    const sent = await produce({ queue: "dataset", count: 6, task: "tasks.record", markerPrefix: prefix, env: celery });
    const first = worker("or1", ["dataset"], {
      concurrency: 2,
      env: { TASK_ACKS_LATE: "1", PREFETCH_MULTIPLIER: "4" },
    });
    await first.waitReady();
    await waitFor(
      async () => {
        const c = await kombuCount(["dataset"], celery);
        return c.counts.dataset === 0 && c.unacked === 8;
      },
      { what: "8 messages held unacked by the first worker", timeoutMs: 30_000 },
    );
    expect(await markersWithPrefix(prefix, RECORD_DB)).toEqual([]);
    await first.stop("SIGKILL");

    // Past the console's visibility timeout (5 s) the deliveries count as orphaned.
    await sleep(6000);
    expect(await kombuCount(["dataset"], celery)).toMatchObject({ counts: { dataset: 0 }, unacked: 8 });
    const r = await postAction(op(), {
      action: "queue.requeue-orphans",
      target: { broker: "default", queue: "dataset" },
      params: {},
      reason: "INC-11 worker OOM-killed",
    });
    expect(r.body).toMatchObject({ status: "succeeded", verify: { ok: true } });
    expect(r.body.result).toMatch(/^8 requeued/);
    expect(await kombuCount(["dataset"], celery)).toMatchObject({ counts: { dataset: 8 }, unacked: 0 });

    const second = worker("or2", ["dataset"], { concurrency: 4 });
    await second.waitReady();
    await waitFor(async () => (await markersWithPrefix(prefix, RECORD_DB)).length >= 6, {
      what: "6 markers",
      timeoutMs: 60_000,
    });
    await sleep(1500);
    const ran = counts(await markersWithPrefix(prefix, RECORD_DB));
    expect([...ran.keys()].sort()).toEqual([...sent.markers!].sort());
    expect([...ran.values()].every((n) => n === 1)).toBe(true);
    await second.stop("SIGKILL"); // its slow tasks need not finish
  });
});

describe("worker remote control", () => {
  let threads: WorkerHandle;
  let prefork: WorkerHandle;

  beforeAll(async () => {
    threads = worker("wt", ["mail"], { pool: "threads", concurrency: 2 });
    prefork = worker("wp", ["mail"], { pool: "prefork", concurrency: 2 });
    await Promise.all([threads.waitReady(), prefork.waitReady()]);
  });

  afterAll(async () => {
    await Promise.all([threads?.stop("SIGKILL"), prefork?.stop("SIGKILL")]);
  });

  it("adds and cancels a consumer, as Celery's own inspect reports", async () => {
    const target = { broker: "default", hostname: fullHostname(threads) };
    expect(await celeryActiveQueues(target.hostname, celery)).toEqual(["mail"]);

    const add = await postAction(op(), {
      action: "worker.add-consumer",
      target,
      params: { queue: "ops_trace" },
      reason: "INC-12 help with traces",
    });
    expect(add.body).toMatchObject({ status: "succeeded", verify: { ok: true } });
    expect(await celeryActiveQueues(target.hostname, celery)).toEqual(["mail", "ops_trace"]);

    const again = await previewAction(op(), { action: "worker.add-consumer", target, params: { queue: "ops_trace" } });
    expect(again.body.blockers?.join(" ")).toMatch(/consumes ops_trace already/);

    const cancel = await postAction(op(), {
      action: "worker.cancel-consumer",
      target,
      params: { queue: "ops_trace" },
      reason: "INC-12 done",
    });
    expect(cancel.body).toMatchObject({ status: "succeeded", verify: { ok: true } });
    expect(await celeryActiveQueues(target.hostname, celery)).toEqual(["mail"]);
  });

  it("grows a prefork pool by one process", async () => {
    await waitFor(async () => (await childProcesses(prefork.pid)).length === 2, { what: "2 pool processes" });
    const r = await postAction(op(), {
      action: "worker.pool-grow",
      target: { broker: "default", hostname: fullHostname(prefork) },
      params: { n: 1 },
      reason: "INC-13 backlog",
    });
    expect(r.body).toMatchObject({ status: "succeeded", verify: { ok: true } });
    await waitFor(async () => (await childProcesses(prefork.pid)).length === 3, {
      what: "3 pool processes",
      timeoutMs: 10_000,
    });
  });

  it("blocks growing a threads pool in the preview and refuses to run it", async () => {
    const body = {
      action: "worker.pool-grow",
      target: { broker: "default", hostname: fullHostname(threads) },
      params: { n: 1 },
      reason: "INC-13 backlog",
    };
    const pv = await previewAction(op(), body);
    expect(pv.status).toBe(200);
    expect(pv.body.blockers).toEqual(["The threads pool cannot grow; only prefork, eventlet and gevent can."]);
    const r = await postAction(op(), body);
    expect({ status: r.status, code: errorCode(r) }).toEqual({ status: 409, code: "conflict" });
    // Nothing was attempted, so nothing was audited as an intent.
    expect(
      (await lw.auditEntries()).filter(
        (e) =>
          e.kind === "intent" && e.target === `default/${fullHostname(threads)}` && e.action === "worker.pool-grow",
      ),
    ).toEqual([]);
  });
});
