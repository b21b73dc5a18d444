// Task timings from Celery events against real Celery 5.2 workers on the test Redis, under a global_keyprefix:
// a worker without -E sends no task events and the console says so; worker.enable-events turns them on (events
// arrive), worker.disable-events turns them off again (no more arrive); a worker started with -E running tasks that
// sleep known times gives runtime percentiles that match those sleeps, in the store, the API and /metrics.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { hostname as osHostname, tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as tasksGET } from "@/app/api/tasks/[broker]/route";
import { GET as metricsGET } from "@/app/metrics/route";
import { stats } from "@/server/celery/pidbox";
import { sampleBroker } from "@/server/celery/sampler";
import { getConfig } from "@/server/config";
import type { TaskTimingsResponse } from "@/server/schemas/tasks";
import { BUCKET_RATIO } from "@/server/tasks/histogram";
import { ensureEventsListener } from "@/server/tasks/listener";
import { taskEventsPass } from "@/server/tasks/pass";
import {
  RUN_ID,
  deleteBrokerKeys,
  produce,
  startCeleryWorker,
  stopAllProcesses,
  testRedisUrl,
  waitFor,
  type WorkerHandle,
} from "@/server/testing/harness";
import {
  call,
  callJson,
  postAction,
  previewAction,
  startConsole,
  type TestConsole,
} from "@/server/testing/action-console";

const BROKER_DB = 12;
const QUEUE = "workflow"; // tasks.slow's route in fixtures/celery/dify_app.py
const tag = RUN_ID.replace(/[^a-z0-9]/gi, "").slice(-10);
const PREFIX = `lwev-${tag}:`;
const BROKER = "evtest";
const celery = (events: boolean) => ({
  BROKER_URL: testRedisUrl(BROKER_DB),
  BROKER_TRANSPORT_OPTIONS: JSON.stringify({ global_keyprefix: PREFIX }),
  SEND_TASK_EVENTS: events ? "1" : "0",
});

// prefork, as most deployments: with the threads pool, Celery 5.2 loses a task event now and then (a pool thread
// appends to the dispatcher's task.multi buffer while the main thread publishes it and then empties it), and this
// file counts events exactly.
const POOL = { pool: "prefork", concurrency: 4 } as const;

let lw: TestConsole;
let configDir: string;
const broker = () => getConfig().brokers.find((b) => b.name === BROKER)!;
const fullHostname = (w: WorkerHandle) => w.hostname.replace("%h", osHostname());

async function timings(): Promise<TaskTimingsResponse> {
  await taskEventsPass([broker()], true); // what the scheduler does every 5 s: store what the listener counted
  const r = await callJson<TaskTimingsResponse>(tasksGET, `/api/tasks/${BROKER}`, {
    as: lw.users.viewer,
    params: { broker: BROKER },
    query: `queue=${QUEUE}&range=1h`,
  });
  expect(r.status).toBe(200);
  return r.body;
}

/** Tasks the worker ran (stats.total), read over remote control: known without any task event. */
async function ran(w: WorkerHandle): Promise<number> {
  const reply = (await stats(broker(), { destination: [fullHostname(w)], timeoutMs: 2000 }))[fullHostname(w)] as
    { total?: Record<string, number> } | undefined;
  return Object.values(reply?.total ?? {}).reduce((n, v) => n + v, 0);
}

beforeAll(async () => {
  configDir = await mkdtemp(path.join(tmpdir(), "lw-events-cfg-"));
  const configFile = path.join(configDir, "leakwatch.json");
  await writeFile(configFile, JSON.stringify({ brokers: { [BROKER]: { global_keyprefix: PREFIX } } }));
  lw = await startConsole({ LEAKWATCH_BROKERS: `${BROKER}=${testRedisUrl(BROKER_DB)}`, LEAKWATCH_CONFIG: configFile });
  await ensureEventsListener(broker()).ready;
});

afterAll(async () => {
  await stopAllProcesses("SIGKILL");
  await lw?.close();
  await deleteBrokerKeys(PREFIX, BROKER_DB);
  await rm(configDir, { recursive: true, force: true });
});

describe("task events off, then on and off through the actions", () => {
  let w: WorkerHandle;

  it("says no task events are seen when the worker does not send them", async () => {
    w = startCeleryWorker({ queues: [QUEUE], hostname: `noev-${tag}`, ...POOL, env: celery(false) });
    await w.waitReady();
    await produce({ queue: QUEUE, task: "tasks.slow", slowSeconds: 0.05, count: 3, env: celery(false) });
    await waitFor(async () => (await ran(w)) >= 3, { what: "3 tasks run", timeoutMs: 30_000 });
    await sampleBroker(broker()); // the worker inventory the page lists workers from
    const t = await timings();
    expect(t.listening).toBe(true);
    expect(t.lastTaskEventMs).toBeNull();
    expect(t.tasks).toEqual([]);
    expect(t.workers).toEqual([{ hostname: fullHostname(w), alive: true, lastTaskEventMs: null }]);
  });

  it("turns task events on with worker.enable-events (cost in the preview), and they arrive", async () => {
    const action = {
      action: "worker.enable-events",
      target: { broker: BROKER, hostname: fullHostname(w) },
      params: {},
      reason: "INC-14 timings",
    };
    const pv = await previewAction(lw.users.operator, action);
    expect(pv.status).toBe(200);
    expect(pv.body.blockers).toEqual([]);
    expect(pv.body.warnings?.join(" ")).toMatch(/Cost: the worker PUBLISHes 3 event messages per task/);
    const r = await postAction(lw.users.operator, action);
    expect(r.body).toMatchObject({ status: "succeeded", result: "task events enabled", verify: { ok: true } });

    await produce({ queue: QUEUE, task: "tasks.slow", slowSeconds: 0.05, count: 3, env: celery(false) });
    const t = await waitFor(
      async () => {
        const x = await timings();
        return x.tasks.find((k) => k.name === "tasks.slow")?.succeeded === 3 ? x : undefined;
      },
      { what: "3 tasks.slow succeeded events", timeoutMs: 30_000 },
    );
    expect(t.lastTaskEventMs).not.toBeNull();
    expect(t.workers[0]!.lastTaskEventMs).not.toBeNull();
    // No task-sent (the producer does not send it): the queue is the receiving worker's only queue.
    expect(t.tasks[0]).toMatchObject({ name: "tasks.slow", queues: [QUEUE], sent: 0, received: 3, started: 3 });
  });

  it("turns them off with worker.disable-events: tasks run on, no more events arrive", async () => {
    const r = await postAction(lw.users.operator, {
      action: "worker.disable-events",
      target: { broker: BROKER, hostname: fullHostname(w) },
      params: {},
      reason: "INC-14 done",
    });
    expect(r.body).toMatchObject({ status: "succeeded", result: "task events disabled", verify: { ok: true } });
    const before = await ran(w);
    await produce({ queue: QUEUE, task: "tasks.slow", slowSeconds: 0.05, count: 2, env: celery(false) });
    await waitFor(async () => (await ran(w)) >= before + 2, { what: "2 more tasks run", timeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, 1000)); // an event published late would arrive here
    const t = await timings();
    expect(t.tasks.find((k) => k.name === "tasks.slow")).toMatchObject({ received: 3, started: 3, succeeded: 3 });
    await w.stop("SIGTERM");
  });
});

describe("a worker started with -E", () => {
  let w: WorkerHandle;

  it("gives runtime percentiles that match the tasks' known sleep times", async () => {
    w = startCeleryWorker({ queues: [QUEUE], hostname: `ev-${tag}`, ...POOL, env: celery(true) });
    await w.waitReady();
    const before = (await timings()).tasks.find((k) => k.name === "tasks.slow")?.succeeded ?? 0;
    // 12 tasks of 0.2 s and 4 of 1.0 s: p50 is a 0.2 s task, p95 and p99 are 1.0 s tasks (ranks 8, 16 and 16 of 16),
    // on top of the 3 tasks of 0.05 s counted above (so of 19: ranks 10, 19, 19 -> still 0.2, 1.0, 1.0).
    await produce({ queue: QUEUE, task: "tasks.slow", slowSeconds: 0.2, count: 12, env: celery(true) });
    await produce({ queue: QUEUE, task: "tasks.slow", slowSeconds: 1.0, count: 4, env: celery(true) });
    let last: unknown;
    const t = await waitFor(
      async () => {
        const x = await timings();
        last = x;
        return (x.tasks.find((k) => k.name === "tasks.slow")?.succeeded ?? 0) >= before + 16 ? x : undefined;
      },
      { what: "16 more succeeded events", timeoutMs: 60_000 },
    ).catch((e: unknown) => {
      throw new Error(`${String(e)}; last read: ${JSON.stringify(last)}`);
    });
    const slow = t.tasks.find((k) => k.name === "tasks.slow")!;
    expect(slow).toMatchObject({ sent: 16, failed: 0, retried: 0 });
    expect(slow.runtime.count).toBe(before + 16);
    // Tolerance: a percentile is read from a bucket about 9 % wide (BUCKET_RATIO), and Celery's runtime includes its
    // own work around the task (a few ms here); so each reads between the sleep and sleep * BUCKET_RATIO + 0.1 s.
    const within = (v: number | null, sleep: number) => {
      expect(v).not.toBeNull();
      expect(v!).toBeGreaterThanOrEqual(sleep / BUCKET_RATIO);
      expect(v!).toBeLessThanOrEqual(sleep * BUCKET_RATIO + 0.1);
    };
    within(slow.runtime.p50, 0.2);
    within(slow.runtime.p95, 1.0);
    within(slow.runtime.p99, 1.0);
    // task-sent names the queue, and waits are measured from it.
    expect(slow.queues).toEqual([QUEUE]);
    expect(slow.wait.count).toBeGreaterThanOrEqual(16);

    const metrics = await (await call(metricsGET, "/metrics", { as: lw.users.viewer })).text();
    const host = osHostname();
    const labels = `broker="${BROKER}",name="tasks.slow",hostname="${host}",queue_name="${QUEUE}"`;
    // The same labels count the earlier 0.05 s tasks too (the queue came from the worker's only queue then).
    expect(metrics).toContain(`celery_task_succeeded_total{${labels}} ${before + 16}`);
    expect(metrics).toContain(`celery_task_runtime_count{${labels}} ${before + 16}`);
    // The 0.05 s and 0.2 s tasks under 0.5 s, the 1.0 s ones above (a 0.2 s task can run past 0.25 s on a busy host,
    // within the tolerance above).
    expect(metrics).toContain(`celery_task_runtime_bucket{le="0.5",${labels}} ${before + 12}`);
    expect(metrics).toMatch(
      /celery_task_sent_total\{broker="evtest",name="tasks.slow",hostname="[^"]+",queue_name="workflow"\} 16/,
    );

    // disable_events cannot switch off a worker started with -E (Celery 5.2): the action says so instead of "ok".
    const off = await postAction(lw.users.operator, {
      action: "worker.disable-events",
      target: { broker: BROKER, hostname: fullHostname(w) },
      params: {},
      reason: "try",
    });
    expect(off.body).toMatchObject({ result: "task events already disabled", verify: { ok: false } });
    expect(off.body.verify?.finding).toMatch(/started with -E/);
  });

  it("keeps listening after the broker drops the subscriber connection", async () => {
    const admin = new Redis(testRedisUrl(0));
    const subscribers = async () =>
      String(await admin.client("LIST"))
        .split("\n")
        .filter((l: string) => / name=leakwatch-sub /.test(l) && l.includes(` db=${BROKER_DB} `));
    try {
      const killed = await subscribers();
      expect(killed.length).toBe(1);
      const id = /\bid=(\d+)/.exec(killed[0]!)![1]!;
      await admin.client("KILL", "ID", id);
      // ioredis reconnects and subscribes again by itself: wait for a new connection with its pattern.
      await waitFor(async () => (await subscribers()).some((l) => !l.includes(`id=${id} `) && /\bpsub=[1-9]/.test(l)), {
        what: "the subscriber back with its patterns",
        timeoutMs: 15_000,
      });
      const before = (await timings()).tasks.find((k) => k.name === "tasks.slow")!.succeeded;
      await produce({ queue: QUEUE, task: "tasks.slow", slowSeconds: 0.05, count: 2, env: celery(true) });
      await waitFor(
        async () => ((await timings()).tasks.find((k) => k.name === "tasks.slow")?.succeeded ?? 0) >= before + 2,
        { what: "2 more succeeded events after the reconnect", timeoutMs: 30_000 },
      );
    } finally {
      admin.disconnect();
    }
  });
});
