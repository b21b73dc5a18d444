// Section: a Celery result backend with 100,000 task results (5% failures, the rest successes), walked the way the
// console's result-backend pass does (SCAN MATCH celery-task-meta-* with SCAN_COUNT, MGETs of 50, STEPS_PER_PASS SCANs): how
// many passes a full walk takes, their time, and the longest single Redis command (SLOWLOG) against one KEYS.
import { readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import path from "node:path";
import type Redis from "ioredis";
import { scanTaskMetas, TASK_META_PREFIX, type SettledKeys } from "@/server/celery/results";
import { STEPS_PER_PASS } from "@/server/failures/pass";
import { benchRedis, ourSlowlog, readSlowlogConfig, writeSlowlogConfig, type SlowlogConfig } from "../lib/redis";
import { progress, runSection } from "../lib/section";
import { round, timed } from "../lib/stats";

const RESULTS = 100_000;
const FAILURE_EVERY = 20;
const say = (m: string) => progress("results", m);
const fixture = (name: string) =>
  readFileSync(path.join(process.cwd(), "server/celery/__fixtures__", `${name}.json`), "utf8").trim();

/** Copies of metas captured from a real Celery 5.2 worker, each under a new task id (as Celery names its keys). */
async function seed(redis: Redis): Promise<{ bytes: number; failures: Set<string> }> {
  const success = JSON.parse(fixture("result-success-extended")) as Record<string, unknown>;
  const failure = JSON.parse(fixture("result-failure-extended")) as Record<string, unknown>;
  const failures = new Set<string>();
  let bytes = 0;
  let pipe = redis.pipeline();
  for (let i = 0; i < RESULTS; i++) {
    const id = randomUUID();
    const failed = i % FAILURE_EVERY === 0;
    if (failed) failures.add(id);
    const raw = JSON.stringify({ ...(failed ? failure : success), task_id: id });
    bytes += raw.length;
    pipe.set(`${TASK_META_PREFIX}${id}`, raw, "EX", 86400);
    if (i % 1000 === 999) {
      await pipe.exec();
      pipe = redis.pipeline();
    }
  }
  await pipe.exec();
  return { bytes, failures };
}

async function walk(redis: Redis, settled?: SettledKeys) {
  const seen = new Set<string>();
  const passMs: number[] = [];
  let cursor = "0";
  let keysRead = 0;
  do {
    const pass = await timed(() => scanTaskMetas(redis, TASK_META_PREFIX, cursor, STEPS_PER_PASS, settled));
    passMs.push(pass.ms);
    cursor = pass.value.cursor;
    keysRead += pass.value.keysRead;
    for (const o of pass.value.outcomes) seen.add(o.taskId);
  } while (cursor !== "0");
  return { seen, passMs, keysRead };
}

let redis: Redis | null = null;
let saved: SlowlogConfig | null = null;

runSection(
  "results",
  async () => {
    redis = await benchRedis();
    await redis.flushdb();
    say(`seeding ${RESULTS} result keys from captured Celery 5.2 metas`);
    const { bytes, failures } = await seed(redis);

    say("walking the backend as the console's passes do");
    const run = await timed(() => walk(redis!));
    const { seen, passMs, keysRead } = run.value;
    if (seen.size !== failures.size || [...failures].some((id) => !seen.has(id)))
      throw new Error(`the walk found ${seen.size} failures; ${failures.size} were seeded`);

    // The console remembers SUCCESS keys between walks: the next walk reads only the failures' values.
    const settled: SettledKeys = { known: new Set(), seen: new Set() };
    await walk(redis, settled);
    const second = await timed(() => walk(redis!, { known: settled.seen, seen: new Set() }));
    if (second.value.seen.size !== failures.size)
      throw new Error(`the second walk found ${second.value.seen.size} failures; ${failures.size} were seeded`);

    say("the same walk with every command in the slowlog");
    saved = await readSlowlogConfig(redis);
    await writeSlowlogConfig(redis, { slowerThan: "0", maxLen: "1000000" });
    await redis.call("SLOWLOG", "RESET");
    await walk(redis);
    const scan = await ourSlowlog(redis);
    // For contrast: the one command a naive reader would send.
    await redis.call("SLOWLOG", "RESET");
    await redis.keys(`${TASK_META_PREFIX}*`);
    const keys = await ourSlowlog(redis);
    await writeSlowlogConfig(redis, saved);
    saved = null;
    const sorted = [...passMs].sort((a, b) => a - b);
    say(`${passMs.length} passes, ${round(run.ms)} ms; slowest command ${scan.maxUs} us; KEYS ${keys.maxUs} us`);
    return {
      results: RESULTS,
      failures: failures.size,
      payloadBytes: bytes,
      keysRead,
      passes: passMs.length,
      stepsPerPass: STEPS_PER_PASS,
      wallMs: round(run.ms),
      passMsMedian: round(sorted[Math.floor(sorted.length / 2)] ?? 0),
      passMsMax: round(sorted[sorted.length - 1] ?? 0),
      secondWalk: { wallMs: round(second.ms), valuesRead: second.value.keysRead },
      slowlog: { walk: scan, keysForContrast: keys },
    };
  },
  async () => {
    if (!redis) return;
    if (saved) await writeSlowlogConfig(redis, saved);
    await redis.flushdb();
    redis.disconnect();
  },
);
