// test-only: real redis-server processes that keep their data across a stop (an RDB file in a temp dir),
// and a Sentinel group (one master, one replica, three sentinels on loopback) that a test can fail over
// by killing the master. Every process is spawned in its own group and killed by the test's cleanup.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { spawnGroup, waitFor, type ProcessHandle } from "@/server/testing/harness";
import { assertPortFree } from "./ports";
import { answersPing } from "./redis-server";

export interface RedisProcess {
  port: number;
  dir: string;
  url(db?: number): string;
  client(db?: number): Redis;
  start(): Promise<void>;
  /** SHUTDOWN SAVE: Redis finishes the command it is running, writes its RDB and exits; start() loads it again. */
  shutdownSave(): Promise<void>;
  kill(): Promise<void>;
  running(): boolean;
  /** Disconnects the clients made by client(). */
  closeClients(): void;
}

/** A redis-server on 127.0.0.1:port with `dir` as its working directory (dump.rdb lives there). */
export function redisProcess(
  port: number,
  extraArgs: string[] = [],
  dir = mkdtempSync(path.join(tmpdir(), `lw-redis-${port}-`)),
  password?: string,
): RedisProcess {
  let proc: ProcessHandle | null = null;
  const clients = new Set<Redis>();
  return {
    port,
    dir,
    url: (db = 0) => `redis://127.0.0.1:${port}/${db}`,
    client(db = 0) {
      const c = new Redis({
        port,
        host: "127.0.0.1",
        db,
        password,
        maxRetriesPerRequest: 1,
        retryStrategy: (n) => Math.min(n * 100, 1000),
      });
      c.on("error", () => {}); // the test stops this server on purpose
      clients.add(c);
      return c;
    },
    async start() {
      await assertPortFree(port);
      mkdirSync(dir, { recursive: true });
      // Auto-save off: only an explicit SHUTDOWN SAVE writes the RDB, so what comes back is exactly what was there.
      proc = spawnGroup("redis-server", [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        dir,
        "--dbfilename",
        "dump.rdb",
        "--save",
        "",
        "--appendonly",
        "no",
        ...extraArgs,
      ]);
      await waitFor(async () => (await answersPing(port, password)) || undefined, {
        what: `redis-server on ${port}`,
        timeoutMs: 15_000,
      });
    },
    async shutdownSave() {
      const c = new Redis({
        port,
        host: "127.0.0.1",
        lazyConnect: true,
        retryStrategy: () => null,
        maxRetriesPerRequest: 0,
      });
      c.on("error", () => {});
      await c.connect();
      await c.call("SHUTDOWN", "SAVE").catch(() => undefined); // the server closes the connection instead of answering
      c.disconnect();
      await proc?.exited;
      proc = null;
    },
    async kill() {
      const p = proc;
      proc = null;
      await p?.stop("SIGKILL", 0);
    },
    running: () => proc !== null,
    closeClients() {
      for (const c of clients) c.disconnect();
      clients.clear();
    },
  };
}

export interface SentinelGroup {
  masterName: string;
  master: RedisProcess;
  replica: RedisProcess;
  sentinelPorts: number[];
  /** Celery's form: sentinel://host:port/db;sentinel://... */
  brokerUrl(db: number): string;
  /** The address the sentinels currently give for the master. */
  currentMaster(): Promise<{ host: string; port: number }>;
  stop(): Promise<void>;
}

export async function startSentinelGroup(o: {
  masterPort: number;
  replicaPort: number;
  sentinelPorts: number[];
  masterName: string;
  /** requirepass of master and replica (the broker URL's password). */
  redisPassword?: string;
  /** requirepass of the sentinels themselves (kombu's sentinel_kwargs password, Dify's CELERY_SENTINEL_PASSWORD). */
  sentinelPassword?: string;
}): Promise<SentinelGroup> {
  const dir = mkdtempSync(path.join(tmpdir(), "lw-sentinel-"));
  const auth = o.redisPassword ? ["--requirepass", o.redisPassword, "--masterauth", o.redisPassword] : [];
  const master = redisProcess(o.masterPort, auth, path.join(dir, "master"), o.redisPassword);
  const replica = redisProcess(
    o.replicaPort,
    [...auth, "--replicaof", "127.0.0.1", String(o.masterPort)],
    path.join(dir, "replica"),
    o.redisPassword,
  );
  const sentinels: ProcessHandle[] = [];
  const stopAll = async () => {
    for (const s of sentinels) await s.stop("SIGKILL", 0).catch(() => undefined);
    await master.kill().catch(() => undefined);
    await replica.kill().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await master.start();
    await replica.start();
    const m = master.client();
    await waitFor(async () => /connected_slaves:1/.test(await m.info("replication")) || undefined, {
      what: "replica attached",
      timeoutMs: 20_000,
    });
    m.disconnect();

    for (const port of o.sentinelPorts) {
      const conf = path.join(dir, `sentinel-${port}.conf`);
      // Sentinel rewrites its config file (it records the replicas and the other sentinels it finds).
      writeFileSync(
        conf,
        [
          `port ${port}`,
          "bind 127.0.0.1",
          `dir ${dir}`,
          "sentinel resolve-hostnames no",
          `sentinel monitor ${o.masterName} 127.0.0.1 ${o.masterPort} 2`,
          `sentinel down-after-milliseconds ${o.masterName} 1000`,
          `sentinel failover-timeout ${o.masterName} 3000`,
          `sentinel parallel-syncs ${o.masterName} 1`,
          ...(o.redisPassword ? [`sentinel auth-pass ${o.masterName} ${o.redisPassword}`] : []),
          ...(o.sentinelPassword
            ? [`requirepass ${o.sentinelPassword}`, `sentinel sentinel-pass ${o.sentinelPassword}`]
            : []),
          "",
        ].join("\n"),
      );
      sentinels.push(spawnGroup("redis-server", [conf, "--sentinel"]));
    }
    // Ready when every sentinel knows the replica and the two other sentinels.
    for (const port of o.sentinelPorts) {
      const s = new Redis({
        port,
        host: "127.0.0.1",
        password: o.sentinelPassword,
        maxRetriesPerRequest: 1,
        retryStrategy: (n) => Math.min(n * 100, 1000),
      });
      s.on("error", () => {});
      try {
        await waitFor(
          async () => {
            const info = (await s.call("SENTINEL", "MASTER", o.masterName)) as string[];
            const field = (k: string) => Number(info[info.indexOf(k) + 1]);
            return field("num-slaves") >= 1 && field("num-other-sentinels") >= o.sentinelPorts.length - 1
              ? true
              : undefined;
          },
          { what: `sentinel ${port} sees the group`, timeoutMs: 30_000 },
        );
      } finally {
        s.disconnect();
      }
    }
  } catch (e) {
    await stopAll();
    throw e;
  }
  return {
    masterName: o.masterName,
    master,
    replica,
    sentinelPorts: o.sentinelPorts,
    brokerUrl: (db) => o.sentinelPorts.map((p) => `sentinel://127.0.0.1:${p}/${db}`).join(";"),
    async currentMaster() {
      const s = new Redis({
        port: o.sentinelPorts[0],
        host: "127.0.0.1",
        password: o.sentinelPassword,
        maxRetriesPerRequest: 1,
      });
      s.on("error", () => {});
      try {
        const [host, port] = (await s.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", o.masterName)) as [string, string];
        return { host, port: Number(port) };
      } finally {
        s.disconnect();
      }
    },
    stop: stopAll,
  };
}
