// Section 3: kombu's `unacked` hash with 100,000 in-flight entries (and the unacked_index zset), counted per queue by
// readInFlight: wall time, the longest single Redis command (SLOWLOG), and what it costs the console's memory.
import type Redis from "ioredis";
import { DIFY_QUEUES } from "@/server/config";
import { DEFAULT_LAYOUT } from "@/server/celery/kombu-keys";

const UNACKED_KEY = DEFAULT_LAYOUT.unackedKey;
const UNACKED_INDEX_KEY = DEFAULT_LAYOUT.unackedIndexKey;
import { readInFlight } from "@/server/celery/unacked";
import { copyOf, loadTemplate } from "../lib/envelopes";
import { benchRedis, ourSlowlog, readSlowlogConfig, writeSlowlogConfig, type SlowlogConfig } from "../lib/redis";
import { collectGarbage, memoryMiB, progress, runSection } from "../lib/section";
import { round, timed } from "../lib/stats";

const ENTRIES = 100_000;
const VISIBILITY_TIMEOUT_S = 3600;
const say = (m: string) => progress("unacked", m);

async function seed(redis: Redis, nowS: number): Promise<number> {
  const templates = [loadTemplate("unacked-running"), loadTemplate("unacked-eta")];
  let bytes = 0;
  let pipe = redis.pipeline();
  for (let i = 0; i < ENTRIES; i++) {
    const queue = DIFY_QUEUES[i % DIFY_QUEUES.length]!;
    const { raw, tag } = copyOf(templates[i % 2]!, queue, (i % 4) * 3);
    bytes += raw.length;
    // Received within the last 10 minutes; every 20th long ago (past the visibility timeout: orphaned).
    const receivedS = i % 20 === 0 ? nowS - VISIBILITY_TIMEOUT_S - 600 - (i % 600) : nowS - (i % 600);
    pipe.hset(UNACKED_KEY, tag, raw).zadd(UNACKED_INDEX_KEY, receivedS, tag);
    if (i % 1000 === 999) {
      await pipe.exec();
      pipe = redis.pipeline();
    }
  }
  await pipe.exec();
  return bytes;
}

let redis: Redis | null = null;
let saved: SlowlogConfig | null = null;

runSection(
  "unacked",
  async () => {
    redis = await benchRedis();
    await redis.flushdb();
    const nowS = Date.now() / 1000;
    say(`seeding ${ENTRIES} unacked entries from captured payloads`);
    const bytes = await seed(redis, nowS);
    const memory = /used_memory:(\d+)/.exec(await redis.info("memory"))?.[1];
    const layout = { ...DEFAULT_LAYOUT, visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_S };
    const opts = { workers: null, nowMs: nowS * 1000 };

    say("readInFlight: wall time and memory");
    collectGarbage();
    const before = memoryMiB();
    let peakRssMiB = before.rssMiB;
    const sampler = setInterval(() => (peakRssMiB = Math.max(peakRssMiB, memoryMiB().rssMiB)), 5);
    const run = await timed(() => readInFlight(redis!, layout, new Map(), opts));
    clearInterval(sampler);
    const afterRun = memoryMiB();
    collectGarbage();
    const afterGc = memoryMiB();
    const inFlight = run.value;
    const counted = [...inFlight.byQueue.values()].reduce((a, c) => a + c.unacked, 0);
    const orphaned = [...inFlight.byQueue.values()].reduce((a, c) => a + c.orphaned, 0);
    const restorable = [...inFlight.byQueue.values()].reduce((a, c) => a + c.kombuRestorable, 0);
    if (inFlight.total !== ENTRIES || counted !== ENTRIES || inFlight.malformed !== 0)
      throw new Error(
        `readInFlight saw ${inFlight.total} entries, attributed ${counted}, ${inFlight.malformed} malformed; expected ${ENTRIES}`,
      );
    // Without worker answers nothing is orphaned (see classify); kombu's own restore would take the expired twentieth.
    if (orphaned !== 0 || restorable !== ENTRIES / 20)
      throw new Error(`expected 0 orphaned and ${ENTRIES / 20} restorable entries, got ${orphaned} and ${restorable}`);

    say("readInFlight again with every command in the slowlog");
    saved = await readSlowlogConfig(redis);
    await writeSlowlogConfig(redis, { slowerThan: "0", maxLen: "1000000" });
    await redis.call("SLOWLOG", "RESET");
    const logged = await timed(() => readInFlight(redis!, layout, new Map(), opts));
    const scan = await ourSlowlog(redis);
    // For contrast: what a script that reads the hash in one HGETALL makes Redis do in one go.
    await redis.call("SLOWLOG", "RESET");
    await redis.hgetallBuffer(UNACKED_KEY);
    const hgetall = await ourSlowlog(redis);
    await writeSlowlogConfig(redis, saved);
    saved = null;
    say(
      `readInFlight ${round(run.ms)} ms; slowest command ${scan.maxUs} us (${scan.slowestCommand}); HGETALL ${hgetall.maxUs} us`,
    );
    return {
      entries: ENTRIES,
      payloadBytes: bytes,
      redisUsedMemoryMiB: memory ? round(Number(memory) / 1048576) : null,
      queues: inFlight.byQueue.size,
      orphaned,
      kombuRestorable: restorable,
      wallMs: round(run.ms),
      wallMsWithSlowlog: round(logged.ms),
      memory: {
        before,
        afterRun,
        afterGc,
        peakRssDeltaMiB: round(peakRssMiB - before.rssMiB),
        rssDeltaMiB: round(afterRun.rssMiB - before.rssMiB),
        heapDeltaAfterGcMiB: round(afterGc.heapUsedMiB - before.heapUsedMiB),
      },
      slowlog: { readInFlight: scan, hgetallForContrast: hgetall },
    };
  },
  async () => {
    if (!redis) return;
    if (saved) await writeSlowlogConfig(redis, saved);
    await redis.flushdb();
    redis.disconnect();
  },
);
