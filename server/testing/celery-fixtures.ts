// test-only: real Celery workers and producers (fixtures/celery) against the test Redis, plus the
// kombu reference counts that Leakwatch's queue depths are checked against.
import path from "node:path";
import Redis from "ioredis";
import { REPO_ROOT } from "./docker-fixtures";
import { run, spawnGroup, type ProcessHandle } from "./proc";

export const CELERY_DIR = path.join(REPO_ROOT, "fixtures/celery");
/** Debian's python3 has python3-celery; a pyenv/venv `python3` earlier on PATH usually does not. */
export const PYTHON = process.env.LEAKWATCH_PYTHON ?? "/usr/bin/python3";
const RECORD_LIST = "leakwatch:test:done";

/** The test Redis (6391 unless LEAKWATCH_TEST_REDIS_URL says otherwise) with the given db. */
export function testRedisUrl(db = 0): string {
  const base = (process.env.LEAKWATCH_TEST_REDIS_URL ?? "redis://127.0.0.1:6391").replace(/\/\d*$/, "");
  return `${base}/${db}`;
}

/** Empties the given dbs of the test Redis (all of it when none are given). Refuses the default 6379. */
export async function flushTestRedis(dbs?: number[]): Promise<void> {
  const url = testRedisUrl(0);
  if (/:6379(\/|$)/.test(url)) throw new Error(`refusing to flush ${url}: not a test Redis`);
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    if (!dbs) await client.flushall();
    else
      for (const db of dbs) {
        await client.select(db);
        await client.flushdb();
      }
  } finally {
    client.disconnect();
  }
}

/** Deletes the keys under a global_keyprefix (a test's private broker namespace); returns how many. */
export async function deleteBrokerKeys(prefix: string, db = 1): Promise<number> {
  if (!prefix) throw new Error("refusing to delete keys without a prefix");
  const client = new Redis(testRedisUrl(db), { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    let deleted = 0;
    let cursor = "0";
    do {
      const [next, keys] = await client.scan(cursor, "MATCH", `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`, "COUNT", 500);
      cursor = next;
      if (keys.length > 0) deleted += await client.del(...keys);
    } while (cursor !== "0");
    return deleted;
  } finally {
    client.disconnect();
  }
}

/** Markers tasks.record wrote (db 2 of the broker's server unless another db is given). */
export async function recordedMarkers(db = 2): Promise<string[]> {
  const client = new Redis(testRedisUrl(db), { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    return await client.lrange(RECORD_LIST, 0, -1);
  } finally {
    client.disconnect();
  }
}

/** Env for the fixtures: BROKER_URL defaults to the test Redis db 1; caller keys win. */
export function celeryEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, BROKER_URL: testRedisUrl(1), PYTHONUNBUFFERED: "1", ...env };
}

export interface WorkerOptions {
  queues: string[];
  /** "name" or "name@%h"; "@%h" is added when missing. */
  hostname: string;
  pool?: "threads" | "prefork" | "solo" | "gevent";
  concurrency?: number;
  env?: Record<string, string>;
  loglevel?: "debug" | "info" | "warning";
  logFile?: string;
}

export interface WorkerHandle extends ProcessHandle {
  hostname: string;
  /** Resolves once the worker logged "<hostname> ready.". */
  waitReady(timeoutMs?: number): Promise<void>;
}

export function startCeleryWorker(o: WorkerOptions): WorkerHandle {
  const hostname = o.hostname.includes("@") ? o.hostname : `${o.hostname}@%h`;
  const args = ["-m", "celery", "-A", "dify_app", "worker", "-Q", o.queues.join(","), "-P", o.pool ?? "threads"];
  args.push(
    "-c",
    String(o.concurrency ?? 2),
    "--hostname",
    hostname,
    "-l",
    o.loglevel ?? "info",
    "--without-mingle",
    "--without-gossip",
  );
  const proc = spawnGroup(PYTHON, args, { cwd: CELERY_DIR, env: celeryEnv(o.env), logFile: o.logFile });
  return {
    ...proc,
    hostname,
    async waitReady(timeoutMs = 60_000) {
      await proc.waitForOutput(/@\S+ ready\./, timeoutMs);
    },
  };
}

export interface ProduceOptions {
  queue?: string;
  /** Publish with this routing key instead of the queue's. */
  routingKey?: string;
  allDify?: boolean;
  count?: number;
  priority?: number | "mix";
  task?: "tasks.index_document" | "tasks.send_mail" | "tasks.slow" | "tasks.record" | "tasks.fail";
  /** Messages per second; 0 = as fast as possible. */
  rate?: number;
  countdownSeconds?: number;
  slowSeconds?: number;
  markerPrefix?: string;
  env?: Record<string, string>;
}

export interface ProduceSummary {
  sent: number;
  queues: Record<string, number>;
  markers?: string[];
}

function produceArgs(o: ProduceOptions): string[] {
  const args = [path.join(CELERY_DIR, "produce.py")];
  if (o.queue) args.push("--queue", o.queue);
  if (o.routingKey) args.push("--routing-key", o.routingKey);
  if (o.allDify) args.push("--all-dify");
  if (o.count !== undefined) args.push("--count", String(o.count));
  if (o.priority !== undefined) args.push("--priority", String(o.priority));
  if (o.task) args.push("--task", o.task);
  if (o.rate !== undefined) args.push("--rate", String(o.rate));
  if (o.countdownSeconds !== undefined) args.push("--countdown", String(o.countdownSeconds));
  if (o.slowSeconds !== undefined) args.push("--seconds", String(o.slowSeconds));
  if (o.markerPrefix) args.push("--marker-prefix", o.markerPrefix);
  return args;
}

/** Sends a finite batch through produce.py (real apply_async) and returns its summary. */
export async function produce(o: ProduceOptions): Promise<ProduceSummary> {
  const { stdout } = await run(PYTHON, produceArgs(o), { cwd: CELERY_DIR, env: celeryEnv(o.env) });
  const last = stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(last) as ProduceSummary;
}

/** Starts produce.py --forever in the background; stop it with handle.stop(). */
export function startProducer(o: ProduceOptions): ProcessHandle {
  return spawnGroup(PYTHON, [...produceArgs(o), "--forever", "--quiet-markers"], {
    cwd: CELERY_DIR,
    env: celeryEnv(o.env),
  });
}

export interface KombuCount {
  counts: Record<string, number>;
  /** Queues a passive declare reported NOT_FOUND (empty, or any queue under a prefix in kombu 5.2). */
  missing: string[];
  unacked: number;
}

/** What kombu itself reports for these queues (all 16 Dify queues when none are given). */
export async function kombuCount(queues: string[] = [], env: Record<string, string> = {}): Promise<KombuCount> {
  const { stdout } = await run(PYTHON, [path.join(CELERY_DIR, "kombu_count.py"), ...queues], {
    cwd: CELERY_DIR,
    env: celeryEnv(env),
  });
  return JSON.parse(stdout) as KombuCount;
}
