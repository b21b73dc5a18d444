import "server-only";
import { queueKey, stepForPriority, type KombuLayout } from "@/server/celery/kombu-keys";

// kombu's Redis transport key layout, as queue operations need it (the one definition lives in
// server/celery/kombu-keys.ts, for every transport option). Queue operations must match it exactly or
// Celery workers would never see the messages:
// - a queue is one list per priority step: `<queue>` for the lowest step, `<queue><sep><step>` for the
//   others; producers LPUSH, workers BRPOP the steps in order, so the right end is next;
// - `global_keyprefix` is prepended to every key (queues, unacked*, _kombu.binding.*).

export { messagePriority, unackedKeys, bindingKey } from "@/server/celery/kombu-keys";

export type QueueLayout = KombuLayout;

/** The list key of `queue` for message priority `priority` (kombu's _q_for_pri after its priority()). */
export function priorityListKey(layout: QueueLayout, queue: string | Buffer, priority: number): Buffer {
  return queueKey(layout, queue, stepForPriority(priority, layout.prioritySteps));
}

/** The list key of `queue` for a priority step itself. */
export function stepListKey(layout: QueueLayout, queue: string | Buffer, step: number): Buffer {
  return queueKey(layout, queue, step);
}

/** kombu's priority(): see stepForPriority. */
export const stepFor = stepForPriority;

/** Steps in the order workers consume them (kombu BRPOPs priority_steps in their configured, ascending order). */
export function consumeOrder(steps: readonly number[]): number[] {
  return [...new Set(steps)].sort((a, b) => a - b);
}
