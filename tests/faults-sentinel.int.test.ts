// A Sentinel-managed broker (master + replica + three sentinels on loopback) fails over under the console:
// real Celery 5.2 produces through Celery's own sentinel:// URL, the console samples through Sentinel, then the
// master is SIGKILLed in the middle of a queue move. The sampler must follow the promoted replica, and the
// move must leave every message in exactly one of the two queues on the new master (asynchronous replication
// may roll back the last batches, never split one: Redis replicates each Lua call as one MULTI/EXEC).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAction } from "@/server/actions/run";
import { subscribe } from "@/server/bus";
import { closeAllBrokers } from "@/server/celery/connections";
import { resetSamplerState, sampleBroker } from "@/server/celery/sampler";
import { getConfig } from "@/server/config";
import { produce } from "@/server/testing/harness";
import { startConsole, type TestConsole } from "@/server/testing/action-console";
import { until } from "@/server/testing/console";
import { startSentinelGroup, type SentinelGroup } from "@/server/testing/sentinel";

const MASTER = "lwmaster";
const STEPS = ["", "\x06\x163", "\x06\x166", "\x06\x169"];
let group: SentinelGroup;
let lw: TestConsole;
const configDir = mkdtempSync(path.join(tmpdir(), "lw-sentinel-cfg-"));
const broker = () => getConfig().brokers.find((b) => b.name === "ha")!;
const actor = { username: "failover-tester", role: "operator" as const, ip: "127.0.0.1" };

async function markers(r: Redis, queue: string): Promise<string[]> {
  const out: string[] = [];
  for (const s of STEPS)
    for (const raw of await r.lrange(`${queue}${s}`, 0, -1)) {
      const env = JSON.parse(raw) as { body: string };
      out.push((JSON.parse(Buffer.from(env.body, "base64").toString("utf8")) as [string[]])[0][0]!);
    }
  return out;
}

async function depth(r: Redis, queue: string): Promise<number> {
  let n = 0;
  for (const s of STEPS) n += await r.llen(`${queue}${s}`);
  return n;
}

beforeAll(async () => {
  group = await startSentinelGroup({
    masterPort: 6401,
    replicaPort: 6402,
    sentinelPorts: [26401, 26402, 26403],
    masterName: MASTER,
  });
  // Celery takes the master name from broker_transport_options; the console's equivalent is the config file.
  const configFile = path.join(configDir, "leakwatch.json");
  writeFileSync(configFile, JSON.stringify({ brokers: { ha: { master_name: MASTER } } }));
  lw = await startConsole({ LEAKWATCH_BROKERS: `ha=${group.brokerUrl(1)}`, LEAKWATCH_CONFIG: configFile });
  resetSamplerState();
});

afterAll(async () => {
  closeAllBrokers();
  await lw?.close();
  group?.master.closeClients();
  group?.replica.closeClients();
  await group?.stop();
  rmSync(configDir, { recursive: true, force: true });
});

describe("a Sentinel failover", () => {
  it("the sampler follows the promoted replica, and a move cut by the failover leaves each message in exactly one queue", async () => {
    // Real Celery, through Sentinel, with Celery's own URL form.
    const celeryEnv = {
      BROKER_URL: group.brokerUrl(1),
      BROKER_TRANSPORT_OPTIONS: JSON.stringify({ master_name: MASTER }),
      RECORD_REDIS_URL: group.master.url(2),
    };
    const { sent } = await produce({
      queue: "dataset",
      task: "tasks.record",
      count: 3000,
      priority: "mix",
      markerPrefix: "fo",
      env: celeryEnv,
    });
    expect(sent).toBe(3000);
    const oldMaster = group.master.client(1);
    const expected = Array.from({ length: sent }, (_, i) => `fo-${i}`).sort();
    expect((await markers(oldMaster, "dataset")).sort()).toEqual(expected);

    const first = await sampleBroker(broker());
    expect(first.ok).toBe(true);
    expect(first.queues.find((q) => q.name === "dataset")?.depth).toBe(sent);
    expect(first.queues.find((q) => q.name === "dataset")?.byPriority).toEqual({
      "0": 750,
      "3": 750,
      "6": 750,
      "9": 750,
    });
    // The replica holds everything before the master dies (what it did not get would be lost by any client).
    const replica = group.replica.client(1);
    await until(
      () => depth(replica, "dataset"),
      (n) => n === sent,
    );

    // Kill the master (SIGKILL, no goodbye) as soon as the move reports its first batch.
    let killed: Promise<void> | null = null;
    const unsubscribe = subscribe((topic) => {
      if (topic === "progress" && !killed) killed = group.master.kill();
    });
    const outcome = await runAction(
      {
        action: "queue.move",
        target: { broker: "ha", queue: "dataset" },
        params: { to: "mail" },
        reason: "failover test",
      },
      actor,
    ).finally(unsubscribe);
    expect(killed).not.toBeNull();
    await killed;

    // Sentinel promotes the replica.
    await until(
      () => group.currentMaster(),
      (m) => m.port === 6402,
      60_000,
    );
    await until(
      async () => /role:master/.test(await replica.info("replication")),
      (x) => x,
      30_000,
    );

    // The sampler recovers on the new master, and what it reports is what the new master holds.
    const back = await until(
      () => sampleBroker(broker()),
      (s) => s.ok,
      60_000,
    );
    expect(back.queues.find((q) => q.name === "dataset")?.depth).toBe(await depth(replica, "dataset"));
    expect(back.queues.find((q) => q.name === "mail")?.depth).toBe(await depth(replica, "mail"));

    // Each message is in exactly one of the two queues on the new master.
    const [source, target] = [await markers(replica, "dataset"), await markers(replica, "mail")];
    expect([...source, ...target].sort()).toEqual(expected);
    // The move lost its master after one batch: it cannot know what the last batch did.
    expect(outcome).toMatchObject({ status: "failed", result: expect.stringMatching(/outcome unknown/) });
    expect(source.length).toBeGreaterThan(0);
    const audit = (await lw.auditEntries()).filter((e) => e.id === outcome.auditId);
    expect(audit.map((e) => e.kind)).toEqual(["intent", "outcome"]);

    // A second move on the new master finishes the job.
    const second = await runAction(
      {
        action: "queue.move",
        target: { broker: "ha", queue: "dataset" },
        params: { to: "mail" },
        reason: "failover test: finish",
      },
      actor,
    );
    expect(second.status).toBe("succeeded");
    expect(await markers(replica, "dataset")).toEqual([]);
    expect((await markers(replica, "mail")).sort()).toEqual(expected);
    const after = await until(
      () => sampleBroker(broker()),
      (s) => s.ok && s.queues.find((q) => q.name === "mail")?.depth === sent,
    );
    expect(after.queues.find((q) => q.name === "dataset")?.depth).toBe(0);
  });
});
