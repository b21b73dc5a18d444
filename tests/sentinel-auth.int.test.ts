// A Sentinel-managed broker as Dify configures it: the Redis password in Celery's sentinel:// URL, the sentinels'
// own password and socket timeout in sentinel_kwargs (Dify's CELERY_SENTINEL_PASSWORD). Real Celery 5.2 producers
// and workers use the same settings; the console must count what kombu counts and reach the worker over the pidbox,
// which kombu 5.2 listens to on a channel named without the db number (`/{db}.celery.pidbox`) behind Sentinel.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAllBrokers, withBroker } from "@/server/celery/connections";
import { readDepths } from "@/server/celery/depth";
import { layoutOf } from "@/server/celery/kombu-keys";
import { ping } from "@/server/celery/pidbox";
import { listWorkers, resetSamplerState, sampleBroker } from "@/server/celery/sampler";
import type { BrokerConfig } from "@/server/config";
import { kombuCount, produce, startCeleryWorker, stopAllProcesses, waitFor } from "@/server/testing/harness";
import { startSentinelGroup, type SentinelGroup } from "@/server/testing/sentinel";

const MASTER = "lwkauth";
const REDIS_PASSWORD = "redis-pw";
const SENTINEL_PASSWORD = "sentinel-pw";
const SENTINELS = [26404, 26405, 26406];
const url = SENTINELS.map((p) => `sentinel://:${REDIS_PASSWORD}@127.0.0.1:${p}/1`).join(";");
const env = {
  BROKER_URL: url,
  BROKER_TRANSPORT_OPTIONS: JSON.stringify({
    master_name: MASTER,
    sentinel_kwargs: { password: SENTINEL_PASSWORD, socket_timeout: 2 },
  }),
};
const broker: BrokerConfig = {
  name: "sentinel-auth",
  url,
  masterName: MASTER,
  globalKeyprefix: "",
  prioritySteps: [0, 3, 6, 9],
  visibilityTimeoutSeconds: 3600,
  queues: ["dataset"],
  sentinel: { password: SENTINEL_PASSWORD, socketTimeoutSeconds: 2 },
};
let group: SentinelGroup;

beforeAll(async () => {
  group = await startSentinelGroup({
    masterPort: 64031,
    replicaPort: 64032,
    sentinelPorts: SENTINELS,
    masterName: MASTER,
    redisPassword: REDIS_PASSWORD,
    sentinelPassword: SENTINEL_PASSWORD,
  });
}, 90_000);
afterAll(async () => {
  await stopAllProcesses("SIGKILL");
  closeAllBrokers();
  resetSamplerState();
  await group?.stop();
});

describe("Sentinel with a sentinel password (sentinel_kwargs)", () => {
  it("is refused without the sentinel password and reads queues and workers with it", async () => {
    const without = await sampleBroker(
      { ...broker, name: "sentinel-nopw", sentinel: undefined },
      { thresholds: { queueDepth: 200 }, queueThresholds: {} },
    );
    expect(without.ok).toBe(false);

    await produce({ queue: "dataset", count: 7, priority: "mix", env });
    const kombu = await kombuCount(["dataset"], env);
    const ours = await withBroker(broker, (r) => readDepths(r, layoutOf(broker), ["dataset"]));
    expect(ours.get("dataset")?.depth).toBe(kombu.counts.dataset);
    expect(kombu.counts.dataset).toBe(7);

    const worker = startCeleryWorker({ queues: ["mail"], hostname: `sentinel-auth-${process.pid}`, env });
    await worker.waitReady();
    // kombu 5.2 behind Sentinel never fills in {db}: its worker hears the literal channel, not `/1.celery.pidbox`.
    // (A well-formed request for nobody: kombu's consumer dies on a message without properties.)
    const master = group.master.client(1);
    const forNobody = JSON.stringify({
      body: Buffer.from(JSON.stringify({ method: "ping", arguments: {}, destination: ["nobody@nowhere"] })).toString(
        "base64",
      ),
      "content-encoding": "utf-8",
      "content-type": "application/json",
      headers: {},
      properties: {
        delivery_info: { exchange: "celery.pidbox", routing_key: "" },
        body_encoding: "base64",
        delivery_tag: "probe",
        delivery_mode: 2,
        priority: 0,
      },
    });
    // "ready" in the worker's log comes before its pidbox subscription under load: wait for a subscriber.
    await waitFor(async () => (await master.publish("/{db}.celery.pidbox", forNobody)) === 1, {
      timeoutMs: 20_000,
      what: "the worker to subscribe to its pidbox channel",
    });
    expect(await master.publish("/1.celery.pidbox", forNobody)).toBe(0);
    const pong = await waitFor(
      async () => {
        const r = await ping(broker, { expectReplies: 1 });
        return Object.keys(r).length === 1 && r;
      },
      { timeoutMs: 20_000, what: "the worker behind Sentinel to answer" },
    );
    expect(Object.values(pong)).toEqual([{ ok: "pong" }]);
    expect((await listWorkers(broker)).map((w) => [w.alive, w.queues])).toEqual([[true, ["mail"]]]);

    const summary = await sampleBroker(broker, { thresholds: { queueDepth: 200 }, queueThresholds: {} });
    expect(summary.ok).toBe(true);
    expect(summary.queues.find((q) => q.name === "dataset")?.depth).toBe(7);
  });
});
