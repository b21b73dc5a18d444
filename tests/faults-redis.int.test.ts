// The broker's Redis stops in the middle of work: a scan of 5,000 queues, a move of 20,000 real Celery messages,
// a pidbox broadcast. The console sees it through a TCP gate in front of a throwaway redis-server: the gate lets
// a test stop the traffic at an exact point (the 3rd depth pipeline, the 40th move batch), and then Redis shuts
// down with SHUTDOWN SAVE. Why SAVE and not a kill: the move's claim is "every message is in exactly one
// queue", which can only be counted if Redis comes back with what it held when it stopped (RDB in a temp dir,
// auto-save off, so the file holds exactly the state at the stop).
import { rmSync } from "node:fs";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as healthGET } from "@/app/api/health/route";
import { GET as queuesGET } from "@/app/api/queues/route";
import { runAction } from "@/server/actions/run";
import { closeAllBrokers } from "@/server/celery/connections";
import { broadcast } from "@/server/celery/pidbox";
import { resetSamplerState, sampleBroker } from "@/server/celery/sampler";
import { getConfig } from "@/server/config";
import { SourceUnavailableError } from "@/server/errors";
import { produce } from "@/server/testing/harness";
import { call, startConsole, type TestConsole } from "@/server/testing/action-console";
import { until } from "@/server/testing/console";
import { freePort } from "@/server/testing/ports";
import { redisProcess } from "@/server/testing/sentinel";

// Ports of its own, chosen free: a fixed port once met another Redis there, and the test pinged and used that one.
const REDIS_PORT = await freePort();
const GATE_PORT = await freePort();
const redis = redisProcess(REDIS_PORT);

// --- a TCP gate: forwards client -> Redis until a pattern was seen N times, then holds everything ---------

interface Gate {
  armAfter(pattern: RegExp, times: number): Promise<void>;
  release(): void;
  close(): Promise<void>;
}

function tcpGate(listenPort: number, targetPort: number): Gate {
  let held = false;
  let trigger: { pattern: RegExp; times: number; count: number; fire: () => void } | null = null;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, "127.0.0.1");
    sockets.add(client).add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", close).on("close", close);
    upstream.on("error", close).on("close", close);
    upstream.on("data", (d) => client.write(d));
    // The end of the previous chunk, so a name split across two TCP chunks is still seen (shorter than any
    // pattern of 7+ characters, so such a match is never counted twice).
    let tail = "";
    client.on("data", (d) => {
      if (held) return; // swallowed: the request never reaches Redis
      const text = tail + d.toString("latin1");
      tail = text.slice(-6);
      upstream.write(d);
      if (trigger) {
        trigger.count += text.match(new RegExp(trigger.pattern.source, "gi"))?.length ?? 0;
        if (trigger.count >= trigger.times) {
          held = true;
          const t = trigger;
          trigger = null;
          t.fire();
        }
      }
    });
  });
  server.listen(listenPort, "127.0.0.1");
  return {
    armAfter(pattern, times) {
      return new Promise<void>((fire) => {
        trigger = { pattern, times, count: 0, fire };
      });
    },
    release() {
      held = false;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const gate = tcpGate(GATE_PORT, REDIS_PORT);
let lw: TestConsole;
const broker = () => getConfig().brokers.find((b) => b.name === "fault")!;
const actor = { username: "fault-tester", role: "operator" as const, ip: "127.0.0.1" };

/** Until the console's own client is connected again (it backs off up to 5 s after a failure). */
const brokerBack = () =>
  until(
    () => sampleBroker(broker()),
    (s) => s.ok,
    60_000,
  );

beforeAll(async () => {
  await redis.start();
  lw = await startConsole({
    LEAKWATCH_BROKERS: `fault=redis://127.0.0.1:${GATE_PORT}/1`,
    LEAKWATCH_SAMPLE_INTERVAL_MS: "600000",
  });
  resetSamplerState();
});

afterAll(async () => {
  closeAllBrokers();
  await gate.close();
  redis.closeClients();
  await redis.kill();
  await lw?.close();
  rmSync(redis.dir, { recursive: true, force: true });
});

/** Stops Redis at the gate's trigger: the held request never arrives, then SHUTDOWN SAVE. */
async function stopAt(armed: Promise<void>): Promise<void> {
  await armed;
  await redis.shutdownSave();
}

async function restart(): Promise<void> {
  await redis.start();
  gate.release();
}

describe("the broker's Redis stops", () => {
  it("mid-way through a scan of 5,000 queues: the pass reports ok:false with the error, the console keeps answering", async () => {
    const r = redis.client(1);
    // 5,000 queues declared the way kombu declares them: members of an exchange's binding set.
    const members = Array.from(
      { length: 5000 },
      (_, i) => `fq-${String(i).padStart(5, "0")}\x06\x16\x06\x16fq-${String(i).padStart(5, "0")}`,
    );
    for (let i = 0; i < members.length; i += 1000) await r.sadd("_kombu.binding.faults", ...members.slice(i, i + 1000));
    await r.lpush("fq-04999", "x");

    const first = await sampleBroker(broker());
    expect(first.ok).toBe(true);
    expect(first.queues.length).toBeGreaterThanOrEqual(5000);

    // The depth pass reads 4 LLEN per queue in pipelines of 1,000 commands: fq-01000 is in the 5th of ~21.
    const armed = gate.armAfter(/fq-01000/, 1);
    const pass = sampleBroker(broker());
    await stopAt(armed);
    // While the pass is failing, the console still answers its pages and its health.
    const admin = lw.users.admin;
    expect((await call(healthGET, "/api/health", { as: admin })).status).toBe(200);
    expect((await call(queuesGET, "/api/queues", { as: admin })).status).toBe(200);
    const down = await pass;
    expect(down.ok).toBe(false);
    expect(down.error).toBeTruthy();
    expect(down.queues.length).toBe(first.queues.length); // last good values, with their time
    expect(down.sampledAt).toBe(first.sampledAt);

    await restart();
    const back = await brokerBack();
    expect(back.queues.find((q) => q.name === "fq-04999")?.depth).toBe(1);
    await r.flushdb();
  });

  it("mid-way through a move of 20,000 Celery messages: outcome failed/unknown, nothing lost or doubled, a second move finishes", async () => {
    const r = redis.client(1);
    const { sent } = await produce({
      queue: "dataset",
      task: "tasks.record",
      count: 20_000,
      priority: "mix",
      markerPrefix: "fm",
      env: { BROKER_URL: redis.url(1), RECORD_REDIS_URL: redis.url(2) },
    });
    expect(sent).toBe(20_000);
    await brokerBack();

    // 200 Lua batches of 100: stop Redis after the 40th has been sent.
    const armed = gate.armAfter(/evalsha|\$4\r\neval\r\n/, 40);
    const action = runAction(
      {
        action: "queue.move",
        target: { broker: "fault", queue: "dataset" },
        params: { to: "mail" },
        reason: "fault test: move during a Redis stop",
      },
      actor,
    );
    await stopAt(armed);
    const outcome = await action;
    expect(outcome.status).toBe("failed");
    expect(outcome.result).toMatch(/outcome unknown/);
    const audit = (await lw.auditEntries()).filter((e) => e.id === outcome.auditId);
    expect(audit.map((e) => e.kind)).toEqual(["intent", "outcome"]);
    expect(audit[1]).toMatchObject({ result: "failed" });
    // The outcome names what went wrong: the broker, as the source that went away, and why.
    expect(outcome.error).toMatch(/^redis:fault is unavailable: \S/);
    expect((audit[1] as { error?: unknown }).error).toBe(outcome.error);

    await restart();
    const markers = async (queue: string) => {
      const out: string[] = [];
      for (const key of [queue, `${queue}\x06\x163`, `${queue}\x06\x166`, `${queue}\x06\x169`])
        for (const raw of await r.lrange(key, 0, -1)) {
          const env = JSON.parse(raw) as { body: string };
          out.push((JSON.parse(Buffer.from(env.body, "base64").toString("utf8")) as [string[]])[0][0]!);
        }
      return out;
    };
    const expected = Array.from({ length: 20_000 }, (_, i) => `fm-${i}`).sort();
    const [source, target] = [await markers("dataset"), await markers("mail")];
    expect(target.length).toBeGreaterThan(0); // the stop came mid-way: some moved ...
    expect(source.length).toBeGreaterThan(0); // ... and some did not
    expect([...source, ...target].sort()).toEqual(expected); // each exactly once

    await brokerBack();
    const second = await runAction(
      {
        action: "queue.move",
        target: { broker: "fault", queue: "dataset" },
        params: { to: "mail" },
        reason: "fault test: finish the move",
      },
      actor,
    );
    expect(second.status).toBe("succeeded");
    expect(await markers("dataset")).toEqual([]);
    expect((await markers("mail")).sort()).toEqual(expected);
    await r.flushdb();
  });

  it("during a pidbox broadcast with a long timeout: it fails with SourceUnavailableError before its timeout, no reply keys remain", async () => {
    const r = redis.client(1);
    await brokerBack();
    const timeoutMs = 60_000;
    const armed = gate.armAfter(/\$5\r\nbrpop\r\n/, 1); // waiting on the reply queue
    const pending = broadcast(broker(), "ping", {}, { timeoutMs }).then(
      () => "returned",
      (e: unknown) => e,
    );
    await stopAt(armed);
    const outcome = await Promise.race([
      pending,
      new Promise((res) => setTimeout(() => res("waited out its timeout"), timeoutMs).unref()),
    ]);
    expect(outcome).toBeInstanceOf(SourceUnavailableError);

    await restart();
    await brokerBack();
    // The reply binding it made before publishing, and any reply queue, are gone once Redis is back.
    await until(
      async () => ({
        bindings: (await r.smembers("_kombu.binding.reply.celery.pidbox")).length,
        replyKeys: (await r.keys("*reply.celery.pidbox*")).length,
      }),
      (x) => x.bindings === 0 && x.replyKeys === 0,
      30_000,
    );
  });
});
