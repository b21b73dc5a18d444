import "server-only";
import type Redis from "ioredis";
import { nameToBytes, queueKey, type KombuLayout } from "./kombu-keys";

// Queue depth the way kombu's Channel._size counts it: the sum of LLEN over the queue's priority lists.
// All lists are read by a small Lua script, LUA_BATCH keys per call: one command instead of one per key, which
// the client's per-command cost made the bottleneck at 10,000 queues. A batch of LLENs runs well under a
// millisecond inside Redis, so no call blocks it for long.

const PIPELINE_BATCH = 1000;

export interface QueueDepth {
  depth: number;
  /** LLEN per priority step, keyed by the step ("0", "3", ...). */
  byPriority: Record<string, number>;
  /** A priority key held something other than a list (not kombu's): counted as 0. */
  error: string | null;
}

/** Runs the commands built by `add` in pipelines of at most PIPELINE_BATCH; returns [err, value] pairs. */
export async function pipelined<T>(
  redis: Redis,
  items: readonly T[],
  add: (pipe: ReturnType<Redis["pipeline"]>, item: T) => void,
): Promise<[Error | null, unknown][]> {
  const out: [Error | null, unknown][] = [];
  for (let i = 0; i < items.length; i += PIPELINE_BATCH) {
    const pipe = redis.pipeline();
    for (const item of items.slice(i, i + PIPELINE_BATCH)) add(pipe, item);
    out.push(...((await pipe.exec()) ?? []));
  }
  return out;
}

const LUA_BATCH = 1000;

// LLEN of every key; -1 where a key holds something other than a list (not kombu's), instead of failing the batch.
const DEPTHS_LUA = `
local out = {}
for i, key in ipairs(KEYS) do
  local ok, n = pcall(redis.call, 'LLEN', key)
  if ok then out[i] = n else out[i] = -1 end
end
return out`;

type WithDepths = Redis & { leakwatchDepths(numKeys: number, ...keys: Buffer[]): Promise<number[]> };

function withDepthsScript(redis: Redis): WithDepths {
  const r = redis as WithDepths;
  if (typeof r.leakwatchDepths !== "function") r.defineCommand("leakwatchDepths", { lua: DEPTHS_LUA });
  return r;
}

export async function readDepths(
  redis: Redis,
  layout: KombuLayout,
  queues: readonly string[],
): Promise<Map<string, QueueDepth>> {
  const cmds = queues.flatMap((q) => {
    const raw = nameToBytes(q);
    return layout.prioritySteps.map((step) => ({ q, step, key: queueKey(layout, raw, step) }));
  });
  const r = withDepthsScript(redis);
  const lengths: number[] = [];
  for (let i = 0; i < cmds.length; i += LUA_BATCH) {
    const keys = cmds.slice(i, i + LUA_BATCH).map((c) => c.key);
    lengths.push(...(await r.leakwatchDepths(keys.length, ...keys)));
  }
  const out = new Map<string, QueueDepth>();
  for (const q of queues) out.set(q, { depth: 0, byPriority: {}, error: null });
  cmds.forEach((c, i) => {
    const d = out.get(c.q) as QueueDepth;
    const n = lengths[i] ?? 0;
    if (n < 0) d.error = `${c.step}: the key holds a non-list value`;
    const len = Math.max(0, n);
    d.byPriority[String(c.step)] = (d.byPriority[String(c.step)] ?? 0) + len;
    d.depth += len;
  });
  return out;
}
