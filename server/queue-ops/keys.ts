import "server-only";

// kombu 5.2 Redis transport key layout (kombu/transport/redis.py), which queue operations must
// match exactly or Celery workers would never see the messages:
// - a queue is one list per priority step: `<queue>` for the lowest step, `<queue>\x06\x16<step>`
//   for the others; producers LPUSH, workers BRPOP the steps in order, so the right end is next;
// - `global_keyprefix` is prepended to every key (queues, unacked*, _kombu.binding.*);
// - unacked messages: hash `unacked` (tag -> JSON [payload, exchange, routing_key]), zset
//   `unacked_index` (tag -> delivery time in seconds), lock `unacked_mutex` (SET NX PX).

export const KOMBU_SEP = "\x06\x16";
export const DEFAULT_PRIORITY_STEPS = [0, 3, 6, 9] as const;

export interface QueueLayout {
  /** global_keyprefix ("" when none). */
  prefix: string;
  prioritySteps: readonly number[];
}

/** The list key of `queue` at priority `step` (kombu's _q_for_pri after its priority()). */
export function priorityListKey(layout: QueueLayout, queue: string, step: number): string {
  const s = stepFor(step, layout.prioritySteps);
  return `${layout.prefix}${s ? `${queue}${KOMBU_SEP}${s}` : queue}`;
}

/** kombu's priority(): the largest step <= n (bisect), the first step when n is below all. */
export function stepFor(n: number, steps: readonly number[]): number {
  const sorted = [...steps].sort((a, b) => a - b);
  let chosen = sorted[0] ?? 0;
  for (const s of sorted) if (s <= n) chosen = s;
  return chosen;
}

/** kombu's _get_message_priority: properties.priority clamped to 0..9, 0 when absent or invalid. */
export function messagePriority(payload: unknown): number {
  const p = (payload as { properties?: { priority?: unknown } } | null)?.properties?.priority;
  const n = typeof p === "number" ? Math.trunc(p) : typeof p === "string" && /^-?\d+$/.test(p.trim()) ? Number(p) : NaN;
  return Number.isFinite(n) ? Math.max(0, Math.min(9, n)) : 0;
}

/** Steps in the order workers consume them (kombu BRPOPs priority_steps in ascending order). */
export function consumeOrder(steps: readonly number[]): number[] {
  return [...new Set(steps)].sort((a, b) => a - b);
}

export const unackedKeys = (prefix: string) => ({
  unacked: `${prefix}unacked`,
  index: `${prefix}unacked_index`,
  mutex: `${prefix}unacked_mutex`,
});

export const bindingKey = (prefix: string, exchange: string) => `${prefix}_kombu.binding.${exchange}`;
