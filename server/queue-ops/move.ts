import "server-only";
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { ValidationError } from "@/server/errors";
import { consumeOrder, stepListKey, type QueueLayout } from "./keys";
import { withQueueOps } from "./scripts";

// Moves messages between two kombu queues, priority sub-list to matching sub-list, oldest first,
// landing behind whatever the target already holds (as if re-published in their original order).
// Each message moves inside one Lua call, so a crash, a cancel or a concurrent producer or worker
// can never lose or duplicate one; cancellation is honoured between batches.

export interface MoveOptions extends QueueLayout {
  from: string;
  to: string;
  /** "all" moves what each sub-list holds when the move reaches it (a busy producer cannot make it endless). */
  count?: number | "all";
  /** Only messages whose envelope header `task` equals this; the others keep their place. */
  taskName?: string;
  signal?: AbortSignal;
  onProgress?: (p: MoveProgress) => void;
  batchSize?: number;
}

export interface MoveProgress {
  moved: number;
  movedByPriority: Record<string, number>;
  step: number;
}

export interface MoveResult {
  moved: number;
  /** Keys are the priority steps ("0", "3", ...). */
  movedByPriority: Record<string, number>;
  cancelled: boolean;
}

export async function moveMessages(redis: Redis, o: MoveOptions): Promise<MoveResult> {
  if (o.from === o.to) throw new ValidationError("source and target queue are the same");
  const count = o.count ?? "all";
  if (count !== "all" && (!Number.isInteger(count) || count < 0)) throw new ValidationError("count must be a whole number or \"all\"");
  const r = withQueueOps(redis);
  const batch = Math.max(1, Math.min(o.batchSize ?? 100, 1000));
  const steps = consumeOrder(o.prioritySteps);
  const movedByPriority: Record<string, number> = Object.fromEntries(steps.map((s) => [String(s), 0]));
  let moved = 0;
  const left = () => (count === "all" ? Infinity : count - moved);

  for (const step of steps) {
    const src = stepListKey(o, o.from, step);
    const dst = stepListKey(o, o.to, step);
    // Bound the work by what this sub-list holds now: messages produced during the move stay put.
    // Unfiltered, the budget counts moves; filtered, it counts messages looked at (each once).
    const length = await r.llen(src);
    let budget = o.taskName ? length : Math.min(left(), length);
    let skip = 0;
    const tomb = `leakwatch:tombstone:${randomUUID()}`;
    while (budget > 0) {
      if (o.signal?.aborted) return { moved, movedByPriority, cancelled: true };
      let n: number;
      let done: boolean;
      if (o.taskName) {
        const [m, nextSkip, end] = await r.lwMoveFilteredBatch(src, dst, Math.min(batch, left()), Math.min(batch, budget), skip, o.taskName, tomb);
        n = m;
        done = end === 1 || nextSkip - skip + m === 0;
        budget -= nextSkip - skip + m;
        skip = nextSkip;
      } else {
        const [m, remaining] = await r.lwMoveBatch(src, dst, Math.min(batch, budget));
        n = m;
        budget -= m;
        done = m === 0 || remaining === 0;
      }
      moved += n;
      movedByPriority[String(step)] = (movedByPriority[String(step)] ?? 0) + n;
      if (n > 0) o.onProgress?.({ moved, movedByPriority: { ...movedByPriority }, step });
      if (done || left() <= 0) break;
    }
    if (left() <= 0) break;
  }
  return { moved, movedByPriority, cancelled: false };
}
