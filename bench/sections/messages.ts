// Section 3b: the message browser on one queue of 1,000,000 messages (250,000 in each of kombu's four priority lists,
// captured Celery 5.2 payloads): the first page, a page deep in the queue by cursor, a task-name search over the most
// a request may scan (100,000), and taking one message out of the middle of a list by its tag; then the same with
// every Redis command in the SLOWLOG, to find the longest one.
import type Redis from "ioredis";
import { DEFAULT_LAYOUT, queueKey } from "@/server/celery/kombu-keys";
import { encodeCursor, readMessagePage } from "@/server/celery/browse";
import { movePicked } from "@/server/queue-ops/pick";
import { messageQuerySchema } from "@/server/schemas/messages";
import { copyOf, loadTemplate } from "../lib/envelopes";
import { benchRedis, ourSlowlog, readSlowlogConfig, writeSlowlogConfig, type SlowlogConfig } from "../lib/redis";
import { progress, runSection } from "../lib/section";
import { repeat, round, summary, timed } from "../lib/stats";

const QUEUE = "dataset";
const PER_STEP = 250_000;
const STEPS = [0, 3, 6, 9];
const DEEP_OFFSET = 200_000;
const say = (m: string) => progress("messages", m);
const layout = { ...DEFAULT_LAYOUT, prioritySteps: STEPS };

async function seed(redis: Redis): Promise<number> {
  const template = loadTemplate("message-basic");
  let bytes = 0;
  for (const step of STEPS) {
    const key = queueKey(layout, QUEUE, step);
    for (let i = 0; i < PER_STEP; i += 1000) {
      const batch = Array.from({ length: 1000 }, () => copyOf(template, QUEUE, step).raw);
      for (const raw of batch) bytes += Buffer.byteLength(raw);
      await redis.lpush(key, ...batch);
    }
  }
  return bytes;
}

let redis: Redis | null = null;
let saved: SlowlogConfig | null = null;

runSection(
  "messages",
  async () => {
    redis = await benchRedis();
    await redis.flushdb();
    say(`seeding ${STEPS.length * PER_STEP} messages into ${QUEUE}`);
    const bytes = await seed(redis);
    const memory = /used_memory:(\d+)/.exec(await redis.info("memory"))?.[1];
    const opts = { showArgs: false };
    const first = messageQuerySchema.parse({});
    const deep = messageQuerySchema.parse({
      cursor: encodeCursor({ step: 6, offset: DEEP_OFFSET, anchor: null }),
    });
    const search = messageQuerySchema.parse({ task: "no.such.task", scan: 100_000 });

    say("first page, a deep page, a 100,000-message search");
    const firstPage = await repeat(20, () => readMessagePage(redis!, layout, QUEUE, first, opts));
    const deepPage = await repeat(20, () => readMessagePage(redis!, layout, QUEUE, deep, opts));
    const searched = await timed(() => readMessagePage(redis!, layout, QUEUE, search, opts));
    if (searched.value.searched !== 100_000) throw new Error(`the search looked at ${searched.value.searched}`);
    const page = await readMessagePage(redis, layout, QUEUE, first, opts);
    if (page.depth !== STEPS.length * PER_STEP || page.messages.length !== 50)
      throw new Error(`first page: depth ${page.depth}, ${page.messages.length} rows`);

    // A message in the middle of its list (the slowest place to take one from: LREM walks from the nearer end).
    const middle = messageQuerySchema.parse({
      cursor: encodeCursor({ step: 3, offset: PER_STEP / 2, anchor: null }),
      limit: 1,
    });
    const target = (await readMessagePage(redis, layout, QUEUE, middle, opts)).messages[0]!;
    const nearTail = (await readMessagePage(redis, layout, QUEUE, first, opts)).messages[20]!;

    say("again with every command in the slowlog");
    saved = await readSlowlogConfig(redis);
    await writeSlowlogConfig(redis, { slowerThan: "0", maxLen: "1000000" });
    await redis.call("SLOWLOG", "RESET");
    await readMessagePage(redis, layout, QUEUE, first, opts);
    await readMessagePage(redis, layout, QUEUE, deep, opts);
    const browseLog = await ourSlowlog(redis);
    await redis.call("SLOWLOG", "RESET");
    await readMessagePage(redis, layout, QUEUE, search, opts);
    const searchLog = await ourSlowlog(redis);
    await redis.call("SLOWLOG", "RESET");
    const take = await timed(() =>
      movePicked(redis!, layout, {
        from: QUEUE,
        to: `${QUEUE}.parked`,
        messages: [{ deliveryTag: target.deliveryTag!, step: target.step, offset: target.offset }],
      }),
    );
    const takeLog = await ourSlowlog(redis);
    if (take.value.moved.length !== 1) throw new Error("the middle message was not moved");
    await redis.call("SLOWLOG", "RESET");
    const takeNear = await timed(() =>
      movePicked(redis!, layout, {
        from: QUEUE,
        to: `${QUEUE}.parked`,
        messages: [{ deliveryTag: nearTail.deliveryTag!, step: nearTail.step, offset: nearTail.offset }],
      }),
    );
    const takeNearLog = await ourSlowlog(redis);
    if (takeNear.value.moved.length !== 1) throw new Error("the message near the tail was not moved");
    await writeSlowlogConfig(redis, saved);
    saved = null;
    say(
      `first page median ${round(summary(firstPage).median)} ms; search ${round(searched.ms)} ms; longest browse/search command ${Math.max(browseLog.maxUs, searchLog.maxUs)} us, take from the middle ${takeLog.maxUs} us, near the tail ${takeNearLog.maxUs} us`,
    );
    return {
      messages: STEPS.length * PER_STEP,
      payloadBytes: bytes,
      redisUsedMemoryMiB: memory ? round(Number(memory) / 1048576) : null,
      firstPageMs: summary(firstPage),
      deepPageMs: summary(deepPage),
      deepOffset: DEEP_OFFSET,
      search100kMs: round(searched.ms),
      takeFromMiddleMs: round(take.ms),
      takeNearTailMs: round(takeNear.ms),
      takeNearTailOffset: nearTail.offset,
      slowlog: { browse: browseLog, search: searchLog, takeFromMiddle: takeLog, takeNearTail: takeNearLog },
    };
  },
  async () => {
    if (!redis) return;
    if (saved) await writeSlowlogConfig(redis, saved);
    await redis.flushdb();
    redis.disconnect();
  },
);
