import "server-only";
import type Redis from "ioredis";
import { nameToBytes, queueKey } from "./kombu-keys";

// Queue depth the way kombu's Channel._size counts it: the sum of LLEN over the queue's priority
// lists, read for all queues in pipelined round trips of at most PIPELINE_BATCH commands.

export const PIPELINE_BATCH = 1000;

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

export async function readDepths(
  redis: Redis,
  prefix: string,
  queues: readonly string[],
  steps: readonly number[],
): Promise<Map<string, QueueDepth>> {
  const cmds = queues.flatMap((q) => {
    const raw = nameToBytes(q);
    return steps.map((step) => ({ q, step, key: queueKey(prefix, raw, step) }));
  });
  const results = await pipelined(redis, cmds, (pipe, c) => pipe.llen(c.key));
  const out = new Map<string, QueueDepth>();
  for (const q of queues) out.set(q, { depth: 0, byPriority: {}, error: null });
  cmds.forEach((c, i) => {
    const d = out.get(c.q) as QueueDepth;
    const [err, n] = results[i] ?? [new Error("no reply"), null];
    const len = !err && typeof n === "number" ? n : 0;
    if (err) d.error = `${c.step}: ${err.message}`;
    d.byPriority[String(c.step)] = (d.byPriority[String(c.step)] ?? 0) + len;
    d.depth += len;
  });
  return out;
}
