import "server-only";
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { nameToBytes } from "@/server/celery/kombu-keys";
import { ValidationError } from "@/server/errors";
import { consumeOrder, stepListKey, type QueueLayout } from "./keys";
import { retarget, taskOf, type Retargeted } from "./retarget";
import { withQueueOps } from "./scripts";

// Moves messages between two kombu queues, priority sub-list to matching sub-list, oldest first,
// landing behind whatever the target already holds (as if re-published in their original order).
// Each message lands with its delivery_info pointing at the target queue (see retarget.ts), so kombu
// redelivers it there, not to where it came from, if the worker that takes it dies.
// We read a batch, prepare the rewritten copies, and one Lua call moves each message only if the list still
// holds exactly what we read: a crash, a cancel or a concurrent producer or worker can never lose or duplicate
// one; cancellation is honoured between batches.

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
  /** Moved as they were: their delivery_info could not be rewritten (not JSON, none, or a non-UTF-8 target name). */
  notRetargeted: number;
  cancelled: boolean;
}

/** A batch that keeps losing races with workers this many times in a row ends the step (they drain it anyway). */
const MAX_CONFLICTS = 20;

export async function moveMessages(redis: Redis, o: MoveOptions): Promise<MoveResult> {
  if (o.from === o.to) throw new ValidationError("source and target queue are the same");
  const count = o.count ?? "all";
  if (count !== "all" && (!Number.isInteger(count) || count < 0))
    throw new ValidationError('count must be a whole number or "all"');
  const r = withQueueOps(redis);
  const batch = Math.max(1, Math.min(o.batchSize ?? 100, 1000));
  const steps = consumeOrder(o.prioritySteps);
  const target = nameToBytes(o.to);
  const movedByPriority: Record<string, number> = Object.fromEntries(steps.map((s) => [String(s), 0]));
  let moved = 0;
  let notRetargeted = 0;
  const left = () => (count === "all" ? Infinity : count - moved);
  for (const step of steps) {
    const src = stepListKey(o, o.from, step);
    const dst = stepListKey(o, o.to, step);
    // Bound the work by what this sub-list holds now: messages produced during the move stay put.
    // Unfiltered, the budget counts moves; filtered, it counts messages looked at (each once).
    const length = await r.llen(src);
    let budget = o.taskName ? length : Math.min(left(), length);
    let skip = 0;
    let conflicts = 0;
    const tomb = `leakwatch:tombstone:${randomUUID()}`;
    while (budget > 0 && left() > 0) {
      if (o.signal?.aborted) return { moved, movedByPriority, notRetargeted, cancelled: true };
      const want = Math.min(batch, budget);
      // LRANGE returns producer end first; positions count from the consumer end.
      const window = (await r.lrangeBuffer(src, -(skip + want), -(skip + 1))).reverse();
      if (window.length === 0) break;
      let n: number;
      let copies: Retargeted[];
      if (o.taskName) {
        const picked: (number | Buffer)[] = [];
        copies = [];
        let looked = 0;
        for (const [j, raw] of window.entries()) {
          if (copies.length >= left()) break;
          looked = j + 1;
          if (taskOf(raw) !== o.taskName) continue;
          const copy = retarget(raw, target);
          copies.push(copy);
          picked.push(skip + j, raw, copy.raw);
        }
        n = copies.length === 0 ? 0 : await r.lwMovePicked(src, dst, tomb, copies.length, ...picked);
        if (n >= 0) {
          skip += looked - n;
          budget -= looked;
        }
      } else {
        const take = window.slice(0, Math.min(window.length, left()));
        copies = take.map((raw) => retarget(raw, target));
        const [m] = await r.lwMoveBatch(
          src,
          dst,
          take.length,
          ...take.flatMap((raw, i) => [raw, (copies[i] as Retargeted).raw]),
        );
        budget -= m;
        n = m === 0 ? -1 : m; // the consumer end changed under us: read again
      }
      if (n < 0) {
        if (++conflicts > MAX_CONFLICTS) break;
        continue;
      }
      notRetargeted += copies.slice(0, n).filter((c) => !c.changed).length;
      conflicts = 0;
      moved += n;
      movedByPriority[String(step)] = (movedByPriority[String(step)] ?? 0) + n;
      if (n > 0) o.onProgress?.({ moved, movedByPriority: { ...movedByPriority }, step });
    }
    if (left() <= 0) break;
  }
  return { moved, movedByPriority, notRetargeted, cancelled: false };
}
