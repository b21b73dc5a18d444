// Section 2: queue depths for 16 Dify queues and for 10,000 queues (four kombu priority lists each): the console's
// pipelined readDepths against one awaited LLEN per key, then a whole sampleBroker pass over the 10,000.
import { writeFileSync } from "node:fs";
import path from "node:path";
import type Redis from "ioredis";
import { DIFY_QUEUES, type BrokerConfig } from "@/server/config";
import { closeAllBrokers } from "@/server/celery/connections";
import { readDepths } from "@/server/celery/depth";
import { DEFAULT_LAYOUT, nameToBytes, queueKey } from "@/server/celery/kombu-keys";
import { sampleBroker } from "@/server/celery/sampler";
import { getWorkerInventory } from "@/server/celery/workers";
import { copyOf, loadTemplate } from "../lib/envelopes";
import { benchRedis, benchRedisUrl } from "../lib/redis";
import { progress, runSection, scratchDir } from "../lib/section";
import { nowMs, repeat, round, summary, timed } from "../lib/stats";

const QUEUE_COUNT = 10_000;
const STEPS = [0, 3, 6, 9];
const say = (m: string) => progress("queues", m);
// One captured envelope per priority list, with the priority it would carry there.
const TEMPLATES = {
  0: "message-basic",
  3: "message-countdown",
  6: "message-priority6-unicode",
  9: "message-eta-expires-retries",
} as const;

const queueNames = (): string[] => [
  ...DIFY_QUEUES,
  ...Array.from({ length: QUEUE_COUNT - DIFY_QUEUES.length }, (_, i) => `bench_queue_${String(i).padStart(5, "0")}`),
];
/** 0-3 messages per list, varied but reproducible: some lists empty, as in life. */
const messagesFor = (queueIndex: number, step: number) => (queueIndex * 7 + step) % 4;

async function seed(redis: Redis, names: string[]): Promise<number> {
  const templates = Object.fromEntries(Object.entries(TEMPLATES).map(([s, name]) => [s, loadTemplate(name)]));
  let pipe = redis.pipeline();
  let queued = 0;
  let messages = 0;
  for (const [i, q] of names.entries()) {
    for (const step of STEPS) {
      const t = templates[String(step)]!;
      for (let m = 0; m < messagesFor(i, step); m++) {
        pipe.lpush(queueKey(DEFAULT_LAYOUT, nameToBytes(q), step), copyOf(t, q, step).raw);
        messages++;
        if (++queued === 2000) {
          await pipe.exec();
          pipe = redis.pipeline();
          queued = 0;
        }
      }
    }
  }
  await pipe.exec();
  return messages;
}

/** What a hand-written script does: one LLEN per key, each awaited before the next. */
async function naiveDepths(redis: Redis, names: readonly string[]): Promise<number> {
  let total = 0;
  for (const q of names)
    for (const step of STEPS) total += await redis.llen(queueKey(DEFAULT_LAYOUT, nameToBytes(q), step));
  return total;
}

async function pipelinedTotal(redis: Redis, names: readonly string[]): Promise<number> {
  let total = 0;
  for (const d of (await readDepths(redis, { ...DEFAULT_LAYOUT, prioritySteps: STEPS }, names)).values())
    total += d.depth;
  return total;
}

async function compare(redis: Redis, names: string[], reps: { pipelined: number; naive: number }) {
  const expected = await naiveDepths(redis, names);
  const got = await pipelinedTotal(redis, names);
  if (got !== expected) throw new Error(`readDepths counted ${got} messages, one LLEN per key counted ${expected}`);
  const pipelined = summary(await repeat(reps.pipelined, () => pipelinedTotal(redis, names)));
  const naive = summary(await repeat(reps.naive, () => naiveDepths(redis, names), 0));
  return {
    queues: names.length,
    keys: names.length * STEPS.length,
    messages: got,
    pipelinedMs: pipelined,
    naiveMs: naive,
    ratio: round(naive.median / pipelined.median),
  };
}

let redis: Redis | null = null;

runSection(
  "queues",
  async () => {
    redis = await benchRedis();
    await redis.flushdb();
    const names = queueNames();
    say(`seeding ${names.length} queues x ${STEPS.length} priority lists with captured envelopes`);
    const seeded = await timed(() => seed(redis!, names));
    say(`seeded ${seeded.value} messages in ${round(seeded.ms)} ms; 16 Dify queues`);
    const dify = await compare(redis, [...DIFY_QUEUES], { pipelined: 50, naive: 50 });
    say(`16 queues: readDepths ${dify.pipelinedMs.median} ms, naive ${dify.naiveMs.median} ms; now ${names.length}`);
    const many = await compare(redis, names, { pipelined: 7, naive: 3 });
    say(
      `${names.length} queues: readDepths ${many.pipelinedMs.median} ms, naive ${many.naiveMs.median} ms; now sampleBroker`,
    );

    const broker: BrokerConfig = {
      name: "bench",
      url: benchRedisUrl(),
      globalKeyprefix: "",
      prioritySteps: STEPS,
      visibilityTimeoutSeconds: 3600,
      queues: names,
    };
    const opts = { thresholds: { queueDepth: 200 }, queueThresholds: {} };
    let last = await sampleBroker(broker, opts);
    if (!last.ok) throw new Error(`sampleBroker failed: ${last.error}`);
    // When the pass hands out its depths (onDepths, what the console publishes first), apart from the whole pass.
    const depthsAt: number[] = [];
    const passes = await repeat(
      3,
      async () => {
        const start = nowMs();
        last = await sampleBroker(broker, { ...opts, onDepths: () => depthsAt.push(nowMs() - start) });
      },
      0,
    );
    const depthSum = last.queues.reduce((a, q) => a + q.depth, 0);
    if (last.queues.length !== names.length || depthSum !== many.messages)
      throw new Error(
        `sampleBroker saw ${last.queues.length} queues / ${depthSum} messages, expected ${names.length} / ${many.messages}`,
      );
    // The pass waits for pidbox replies (no workers here, so the full timeout): measured apart to show the split.
    const inventory = await timed(() => getWorkerInventory(broker));
    writeFileSync(
      path.join(scratchDir(), "queues.json"),
      JSON.stringify({ ...last, queues: last.queues.slice(0, 1000) }),
    );
    const pass = summary(passes);
    const depthsPublished = summary(depthsAt);
    say(
      `sampleBroker over ${names.length} queues: ${pass.median} ms (pidbox wait ${round(inventory.ms)} ms); depths out after ${depthsPublished.median} ms`,
    );
    return {
      seededMessages: seeded.value,
      seedMs: round(seeded.ms),
      dify,
      many,
      sampleBroker: {
        queues: last.queues.length,
        passMs: pass,
        depthsPublishedMs: depthsPublished,
        pidboxWaitMs: round(inventory.ms),
        withoutPidboxMs: round(pass.median - inventory.ms),
        intervalMs: 5000,
        shareOfInterval: round(pass.median / 5000),
      },
    };
  },
  async () => {
    closeAllBrokers();
    if (redis) {
      await redis.flushdb();
      redis.disconnect();
    }
  },
);
