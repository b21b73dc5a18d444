// A broker laid out the way Celery's routing guide shows (sep ":", ten priority steps) under a global_keyprefix,
// with real Celery 5.2 producers and workers configured the same way: depths equal kombu's own count, the
// worker is found over the pidbox and its bound queues by discovery, and `celery inspect ping` from Python keeps
// working while the console asks the same workers.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { DIFY_QUEUES, type BrokerConfig } from "@/server/config";
import {
  CELERY_DIR,
  PYTHON,
  celeryEnv,
  deleteBrokerKeys,
  kombuCount,
  produce,
  run,
  startCeleryWorker,
  stopAllProcesses,
  testRedisUrl,
  waitFor,
} from "@/server/testing/harness";
import { closeAllBrokers, withBroker } from "./connections";
import { readDepths } from "./depth";
import { boundQueues, readBindings } from "./discovery";
import { layoutOf } from "./kombu-keys";
import { ping } from "./pidbox";
import { listWorkers, resetSamplerState, sampleBroker } from "./sampler";

const TEN_STEPS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const prefix = `lwlayout-${process.pid}:`;
const transport = { sep: ":", priority_steps: TEN_STEPS, global_keyprefix: prefix };
const env = { BROKER_URL: testRedisUrl(1), BROKER_TRANSPORT_OPTIONS: JSON.stringify(transport) };

const broker: BrokerConfig = {
  name: "layout",
  url: testRedisUrl(1),
  globalKeyprefix: prefix,
  prioritySteps: TEN_STEPS,
  sep: ":",
  visibilityTimeoutSeconds: 3600,
  queues: [...DIFY_QUEUES],
};

afterEach(async () => {
  await stopAllProcesses("SIGKILL");
  closeAllBrokers();
  resetSamplerState();
});
afterAll(async () => {
  await deleteBrokerKeys(prefix, 1);
});

describe("a non-default kombu layout (sep ':', ten priority steps, global_keyprefix)", () => {
  it("counts every step as kombu does, finds the worker and its queues, and leaves celery inspect working", async () => {
    for (const priority of [0, 1, 2, 5, 7, 9]) await produce({ queue: "dataset", count: 3, priority, env });
    await produce({ queue: "mail", task: "tasks.send_mail", count: 4, priority: 4, env });

    // The keys really are kombu's: one list per step, joined with ":" after the prefix.
    const keys = await withBroker(broker, (r) => r.keys(`${prefix}dataset*`));
    expect(keys.sort()).toEqual([`${prefix}dataset`, ...[1, 2, 5, 7, 9].map((s) => `${prefix}dataset:${s}`)].sort());

    const kombu = await kombuCount(["dataset", "mail"], env);
    const ours = await withBroker(broker, (r) => readDepths(r, layoutOf(broker), ["dataset", "mail"]));
    expect({ dataset: ours.get("dataset")?.depth, mail: ours.get("mail")?.depth }).toEqual(kombu.counts);
    expect(kombu.counts).toEqual({ dataset: 18, mail: 4 });
    expect(ours.get("dataset")?.byPriority).toMatchObject({ "0": 3, "1": 3, "2": 3, "5": 3, "7": 3, "9": 3 });

    // Bindings are split on ":" (Celery declares `dataset` on exchange `dataset`, member "dataset::dataset").
    const table = await withBroker(broker, (r) => readBindings(r, layoutOf(broker)));
    expect(boundQueues(table, layoutOf(broker)).sort()).toEqual(expect.arrayContaining(["dataset", "mail"]));

    const worker = startCeleryWorker({ queues: ["workflow"], hostname: `layout-${process.pid}`, env });
    await worker.waitReady();
    const pong = await waitFor(
      async () => {
        const r = await ping(broker, { expectReplies: 1 });
        return Object.keys(r).length === 1 && r;
      },
      { timeoutMs: 20_000, what: "the worker to answer the console's ping" },
    );
    expect(Object.values(pong)).toEqual([{ ok: "pong" }]);

    // The console and Celery's own client ask at the same time; then Celery's client alone: both hear the worker.
    const inspect = () =>
      run(PYTHON, ["-m", "celery", "-A", "dify_app", "inspect", "ping", "-t", "3", "-j"], {
        cwd: CELERY_DIR,
        env: celeryEnv(env),
        timeoutMs: 60_000,
      });
    const [ours2, theirs] = await Promise.all([ping(broker, { expectReplies: 1, timeoutMs: 3_000 }), inspect()]);
    expect(Object.keys(ours2)).toEqual(Object.keys(pong));
    expect(theirs.stdout).toContain("pong");
    expect((await inspect()).stdout).toContain("pong");

    const summary = await sampleBroker(broker, { thresholds: { queueDepth: 200 }, queueThresholds: {} });
    const byName = new Map(summary.queues.map((q) => [q.name, q]));
    expect(byName.get("dataset")?.depth).toBe(18);
    expect(byName.get("mail")?.depth).toBe(4);
    expect((await listWorkers(broker)).map((w) => [w.alive, w.queues])).toEqual([[true, ["workflow"]]]);
  });
});
