import "server-only";
import type Redis from "ioredis";
import { parseEnvelope, type TaskMessage } from "./envelope";
import { pipelined } from "./depth";
import { nameToBytes, queueKey, type KombuLayout } from "./kombu-keys";

// What a backlog is made of, from a bounded sample. kombu LPUSHes new messages and workers BRPOP
// (pop from the right), checking the priority lists in priority_steps order: the next message to run
// is the tail (index -1) of the first non-empty list, so we sample from the tail end.

const DEFAULT_SAMPLE_PER_LIST = 100;

export interface NextMessage {
  step: number;
  id: string | null;
  task: string | null;
  retries: number;
  etaMs: number | null;
  expiresMs: number | null;
  priority: number;
  redelivered: boolean;
  /** Present only when showArgs was asked for (and the body could be read). */
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  argsRepr?: string | null;
  kwargsRepr?: string | null;
}

export interface Composition {
  /** Messages read from the lists' tails (at most sampleSize per priority list). */
  sampled: number;
  byTask: { task: string; count: number }[];
  byStep: Record<string, number>;
  /** Sampled messages that could not be parsed. */
  malformed: number;
  next: NextMessage | null;
  /** Parse error of the next message, when it is malformed. */
  nextError: string | null;
}

function toNext(step: number, m: TaskMessage, showArgs: boolean): NextMessage {
  const base: NextMessage = {
    step,
    id: m.id,
    task: m.task,
    retries: m.retries,
    etaMs: m.etaMs,
    expiresMs: m.expiresMs,
    priority: m.priority,
    redelivered: m.redelivered,
  };
  if (!showArgs) return base;
  return { ...base, args: m.args, kwargs: m.kwargs, argsRepr: m.argsRepr, kwargsRepr: m.kwargsRepr };
}

export async function readComposition(
  redis: Redis,
  layout: KombuLayout,
  queue: string,
  opts: { sampleSize?: number; showArgs?: boolean } = {},
): Promise<Composition> {
  const sampleSize = Math.max(1, Math.min(opts.sampleSize ?? DEFAULT_SAMPLE_PER_LIST, 1000));
  const raw = nameToBytes(queue);
  const steps = layout.prioritySteps;
  const results = await pipelined(redis, steps, (pipe, step) =>
    pipe.lrangeBuffer(queueKey(layout, raw, step), -sampleSize, -1),
  );
  const counts = new Map<string, number>();
  const byStep: Record<string, number> = {};
  let sampled = 0;
  let malformed = 0;
  let next: NextMessage | null = null;
  let nextError: string | null = null;
  steps.forEach((step, i) => {
    const [err, items] = results[i] ?? [null, []];
    const list = !err && Array.isArray(items) ? (items as Buffer[]) : [];
    byStep[String(step)] = list.length;
    sampled += list.length;
    list.forEach((item, j) => {
      const isNext = next === null && nextError === null && j === list.length - 1;
      const parsed = parseEnvelope(item, { withBody: isNext && opts.showArgs === true });
      if (!parsed.ok) {
        malformed++;
        if (isNext) nextError = `${parsed.error.code}: ${parsed.error.message}`;
        return;
      }
      const task = parsed.value.task ?? "(unknown)";
      counts.set(task, (counts.get(task) ?? 0) + 1);
      if (isNext) next = toNext(step, parsed.value, opts.showArgs === true);
    });
  });
  const byTask = [...counts]
    .map(([task, count]) => ({ task, count }))
    .sort((a, b) => b.count - a.count || (a.task < b.task ? -1 : 1));
  return { sampled, byTask, byStep, malformed, next, nextError };
}

/**
 * Id of the next message to run per queue (first non-empty priority list's tail), for age tracking. LINDEX returns
 * the whole message, handed to `onMessage` (the console keeps task messages it saw, server/failures/seen.ts).
 */
export async function readNextIds(
  redis: Redis,
  layout: KombuLayout,
  queues: { name: string; byPriority: Record<string, number> }[],
  onMessage?: (queue: string, raw: Buffer, parsed: TaskMessage) => void,
): Promise<Map<string, string | null>> {
  const wanted = queues.flatMap((q) => {
    const step = layout.prioritySteps.find((s) => (q.byPriority[String(s)] ?? 0) > 0);
    return step === undefined ? [] : [{ name: q.name, key: queueKey(layout, nameToBytes(q.name), step) }];
  });
  const results = await pipelined(redis, wanted, (pipe, w) => pipe.lindexBuffer(w.key, -1));
  const out = new Map<string, string | null>();
  wanted.forEach((w, i) => {
    const [err, item] = results[i] ?? [null, null];
    if (err || !Buffer.isBuffer(item)) return out.set(w.name, null);
    const parsed = parseEnvelope(item);
    const id = parsed.ok ? parsed.value.id : null;
    out.set(w.name, id);
    if (parsed.ok) onMessage?.(w.name, item, parsed.value);
  });
  return out;
}
