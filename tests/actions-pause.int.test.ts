// Pause and resume a queue (issue 13) through POST /api/actions against real Celery 5.2 workers on the test Redis:
// two workers stop consuming the queue, a third that starts consuming it later is stopped by the enforcement pass
// (as the sampler runs it), messages produced meanwhile wait, and resume starts all three again and the backlog
// drains with every task run exactly once. Celery's own `inspect active_queues` is the witness of each step.
import { hostname as osHostname } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  RUN_ID,
  flushTestRedis,
  kombuCount,
  produce,
  startCeleryWorker,
  stopAllProcesses,
  testRedisUrl,
  waitFor,
  type WorkerHandle,
} from "@/server/testing/harness";
import { enforcePauses } from "@/server/actions/pause-enforce";
import { getPause, listPauses } from "@/server/actions/pauses";
import { refreshPauses, withPauses } from "@/server/actions/pause-snapshot";
import { publish, snapshot } from "@/server/live";
import { metricsText } from "@/server/metrics";
import type { QueuesResponse, WorkersResponse } from "@/server/schemas/api";
import { sampleBroker } from "@/server/celery/sampler";
import { brokerConfig } from "@/server/sources/lookup";
import { errorCode, postAction, previewAction, startConsole, type TestConsole } from "@/server/testing/action-console";
import { celeryActiveQueues, counts, markersWithPrefix } from "@/server/testing/celery-checks";

const BROKER_DB = 10;
const RECORD_DB = 11;
const tag = RUN_ID.replace(/[^a-z0-9]/gi, "").slice(-10);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const celery = { BROKER_URL: testRedisUrl(BROKER_DB), RECORD_REDIS_URL: testRedisUrl(RECORD_DB) };
const QUEUE = "jobs";

let lw: TestConsole;
const workers: WorkerHandle[] = [];

function worker(name: string, queues: string[]): WorkerHandle {
  const w = startCeleryWorker({ queues, hostname: `${name}-${tag}`, pool: "threads", concurrency: 2, env: celery });
  workers.push(w);
  return w;
}
const host = (w: WorkerHandle) => w.hostname.replace("%h", osHostname());
const depth = async (queue: string) => (await kombuCount([queue], celery)).counts[queue] ?? 0;
const op = () => lw.users.operator;

beforeAll(async () => {
  await flushTestRedis([BROKER_DB, RECORD_DB]);
  lw = await startConsole({ LEAKWATCH_BROKERS: `default=${testRedisUrl(BROKER_DB)}` });
});

afterAll(async () => {
  await stopAllProcesses("SIGKILL");
  await lw?.close();
  await flushTestRedis([BROKER_DB, RECORD_DB]);
});

describe("pause and resume a queue", () => {
  let both: WorkerHandle;
  let only: WorkerHandle;
  let late: WorkerHandle;

  beforeAll(async () => {
    both = worker("pa", [QUEUE, "mail"]);
    only = worker("pb", [QUEUE]);
    await Promise.all([both.waitReady(), only.waitReady()]);
  });

  it("pauses with two workers, keeps a third from resuming it, holds what is produced, and drains it on resume", async () => {
    const target = { broker: "default", queue: QUEUE };

    // Preview: the two consumers and what each consumes now and after.
    const pv = await previewAction(op(), { action: "queue.pause", target, params: {} });
    expect(pv.status).toBe(200);
    expect(pv.body.blockers).toEqual([]);
    expect(pv.body.changes).toEqual(
      expect.arrayContaining([
        { what: `${host(both)} consumes`, from: [QUEUE, "mail"], to: ["mail"] },
        { what: `${host(only)} consumes`, from: [QUEUE], to: [] },
      ]),
    );

    const paused = await postAction(op(), { action: "queue.pause", target, params: {}, reason: "INC-21 bad deploy" });
    expect(paused.body).toMatchObject({ status: "succeeded", verify: { ok: true } });
    expect(await celeryActiveQueues(host(both), celery)).toEqual(["mail"]);
    expect(await celeryActiveQueues(host(only), celery)).toEqual([]);
    const record = await getPause("default", QUEUE);
    expect(record).toMatchObject({ by: op().username, reason: "INC-21 bad deploy", auditId: paused.body.auditId });
    expect(record!.workers).toEqual([host(both), host(only)].sort());

    // A second pause is refused before anything is audited.
    const again = await postAction(op(), { action: "queue.pause", target, params: {}, reason: "twice" });
    expect({ status: again.status, code: errorCode(again) }).toEqual({ status: 409, code: "conflict" });

    // A third worker starts with the queue in its -Q list: the sampler's pass sees it and the enforcement stops it.
    late = worker("pc", [QUEUE]);
    await late.waitReady();
    expect(await celeryActiveQueues(host(late), celery)).toEqual([QUEUE]);
    const summary = await sampleBroker(brokerConfig("default"));
    expect(summary.queues.find((q) => q.name === QUEUE)?.consumers).toEqual([host(late)]);
    const enforced = await enforcePauses(summary, await listPauses());
    expect(enforced).toHaveLength(1);
    expect(enforced[0]).toMatchObject({ hostname: host(late), outcome: { status: "succeeded", verify: { ok: true } } });
    expect(await celeryActiveQueues(host(late), celery)).toEqual([]);
    expect((await getPause("default", QUEUE))!.workers).toEqual([host(both), host(late), host(only)].sort());
    const system = (await lw.auditEntries()).filter((e) => e.action === "queue.enforce-pause");
    expect(system.map((e) => [e.kind, e.actor])).toEqual([
      ["intent", "system:pause"],
      ["outcome", "system:pause"],
    ]);

    // What the pages and /metrics read: the queue's row and the workers snapshot carry the pause.
    publish("queues", { brokers: [withPauses(summary, await listPauses())] } satisfies QueuesResponse);
    publish("workers", { workers: [] } satisfies WorkersResponse);
    await refreshPauses();
    const row = snapshot<QueuesResponse>("queues")!.brokers[0]!.queues.find((q) => q.name === QUEUE)!;
    expect(row.paused).toMatchObject({ by: op().username, reason: "INC-21 bad deploy" });
    expect(snapshot<WorkersResponse>("workers")!.paused?.map((p) => p.queue)).toEqual([QUEUE]);
    const metrics = (await metricsText()).body;
    expect(metrics).toContain(`leakwatch_queue_paused{broker="default",queue_name="${QUEUE}"} 1`);
    expect(metrics).toContain(`leakwatch_queue_paused{broker="default",queue_name="mail"} 0`);

    // Produced during the pause: every message waits. A task sent to mail afterwards runs on the first worker, so
    // that worker was consuming (and skipped the paused queue) while the jobs were there to take.
    const prefix = `pause-${tag}`;
    const sent = await produce({ queue: QUEUE, count: 30, task: "tasks.record", markerPrefix: prefix, env: celery });
    const witness = await produce({
      queue: "mail",
      count: 1,
      task: "tasks.record",
      markerPrefix: `mail-${tag}`,
      env: celery,
    });
    await waitFor(async () => (await markersWithPrefix(`mail-${tag}`, RECORD_DB)).length === 1, {
      what: "the mail task ran",
      timeoutMs: 30_000,
    });
    expect(witness.sent).toBe(1);
    expect(await depth(QUEUE)).toBe(30);
    expect(await markersWithPrefix(prefix, RECORD_DB)).toEqual([]);
    // The next pass finds nobody consuming the paused queue, so nothing more is enforced.
    expect(await enforcePauses(await sampleBroker(brokerConfig("default")), await listPauses())).toEqual([]);

    // Resume: the preview names the three workers the pause stopped; all three consume the queue again.
    const rpv = await previewAction(op(), { action: "queue.resume", target, params: {} });
    expect(rpv.body.blockers).toEqual([]);
    expect(rpv.body.targets).toEqual(
      expect.arrayContaining([`default/${host(both)}`, `default/${host(only)}`, `default/${host(late)}`]),
    );
    const resumed = await postAction(op(), { action: "queue.resume", target, params: {}, reason: "INC-21 fixed" });
    expect(resumed.body).toMatchObject({ status: "succeeded", verify: { ok: true } });
    expect(await getPause("default", QUEUE)).toBeNull();
    expect(
      snapshot<QueuesResponse>("queues")!.brokers[0]!.queues.find((q) => q.name === QUEUE)!.paused,
    ).toBeUndefined();
    expect((await metricsText()).body).toContain(`leakwatch_queue_paused{broker="default",queue_name="${QUEUE}"} 0`);
    expect(await celeryActiveQueues(host(both), celery)).toEqual(["jobs", "mail"]);
    expect(await celeryActiveQueues(host(only), celery)).toEqual(["jobs"]);
    expect(await celeryActiveQueues(host(late), celery)).toEqual(["jobs"]);

    await waitFor(async () => (await markersWithPrefix(prefix, RECORD_DB)).length >= 30, {
      what: "30 markers",
      timeoutMs: 60_000,
    });
    await waitFor(async () => (await depth(QUEUE)) === 0, { what: `${QUEUE} drained`, timeoutMs: 30_000 });
    await sleep(1000); // a duplicate would arrive here
    const ran = counts(await markersWithPrefix(prefix, RECORD_DB));
    expect([...ran.keys()].sort()).toEqual([...sent.markers!].sort());
    expect([...ran.values()].every((n) => n === 1)).toBe(true);

    // Resuming what is not paused is refused; the audit holds the whole story.
    const twice = await postAction(op(), { action: "queue.resume", target, params: {}, reason: "twice" });
    expect({ status: twice.status, code: errorCode(twice) }).toEqual({ status: 409, code: "conflict" });
    const story = (await lw.auditEntries())
      .filter((e) => e.kind === "outcome" && e.target === `default/${QUEUE}`)
      .map((e) => [e.action, e.actor, e.result]);
    expect(story).toEqual([
      ["queue.pause", op().username, "succeeded"],
      ["queue.enforce-pause", "system:pause", "succeeded"],
      ["queue.resume", op().username, "succeeded"],
    ]);
  });
});
