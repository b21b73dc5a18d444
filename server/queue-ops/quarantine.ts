import "server-only";
import type { Redis } from "ioredis";
import { ConflictError, NotFoundError, ValidationError } from "@/server/errors";
import { consumeOrder, stepListKey, type QueueLayout } from "./keys";
import { moveMessages, type MoveProgress } from "./move";

// "Purge" never deletes: it moves a queue's messages into a quarantine queue named
// leakwatch.quarantine.<queue>.<timestamp> (same global prefix, same priority sub-lists, so a
// restore puts every message back at its priority) and records it in the hash
// leakwatch.quarantine.index. Expired quarantines are only shown as expired: deleting messages is
// left to a human with redis-cli, never done by the console.

export const QUARANTINE_INDEX = "leakwatch.quarantine.index";
export const QUARANTINE_PREFIX = "leakwatch.quarantine.";

export interface QuarantineRecord {
  quarantine: string;
  queue: string;
  /** Messages moved in (updated when the move finishes). */
  count: number;
  countByPriority: Record<string, number>;
  created: string;
  expiresAt: string;
  /** moving: the purge is under way or was interrupted; partial: cancelled mid-way. */
  state: "moving" | "complete" | "partial" | "restored";
  restoredAt?: string;
  restoredCount?: number;
}

export interface QuarantineStatus extends QuarantineRecord {
  /** Messages in the quarantine lists now. */
  depth: number;
  expired: boolean;
}

interface Common extends QueueLayout {
  signal?: AbortSignal;
  batchSize?: number;
  onProgress?: (p: MoveProgress) => void;
}

export function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, "").replace(".", ""); // 20250101T000000123Z
}

export async function saveRecord(redis: Redis, prefix: string, rec: QuarantineRecord): Promise<void> {
  await redis.hset(`${prefix}${QUARANTINE_INDEX}`, rec.quarantine, JSON.stringify(rec));
}

export async function getQuarantine(redis: Redis, prefix: string, quarantine: string): Promise<QuarantineRecord> {
  const raw = await redis.hget(`${prefix}${QUARANTINE_INDEX}`, quarantine);
  if (!raw) throw new NotFoundError(`no quarantine named ${quarantine}`);
  return JSON.parse(raw) as QuarantineRecord;
}

export async function purgeToQuarantine(
  redis: Redis,
  o: Common & { queue: string; retentionSeconds: number; now?: Date },
): Promise<QuarantineRecord> {
  if (!o.queue || o.queue.startsWith(QUARANTINE_PREFIX))
    throw new ValidationError("pick a queue (a quarantine cannot be purged)");
  if (!(o.retentionSeconds > 0)) throw new ValidationError("retentionSeconds must be positive");
  const rec = newQuarantineRecord(o.queue, o.retentionSeconds, o.now ?? new Date());
  const { quarantine } = rec;
  // Record first: if the console dies mid-move, the index still points at the messages.
  const created = await redis.hsetnx(`${o.prefix}${QUARANTINE_INDEX}`, quarantine, JSON.stringify(rec));
  if (!created) throw new ConflictError(`${quarantine} exists already; try again`);
  const r = await moveMessages(redis, { ...o, from: o.queue, to: quarantine, count: "all" });
  const done: QuarantineRecord = {
    ...rec,
    count: r.moved,
    countByPriority: r.movedByPriority,
    state: r.cancelled ? "partial" : "complete",
  };
  await saveRecord(redis, o.prefix, done);
  return done;
}

export async function restoreQuarantine(
  redis: Redis,
  o: Common & { quarantine: string; now?: Date },
): Promise<QuarantineRecord & { cancelled: boolean; moved: number }> {
  const rec = await getQuarantine(redis, o.prefix, o.quarantine);
  const r = await moveMessages(redis, { ...o, from: o.quarantine, to: rec.queue, count: "all" });
  const after: QuarantineRecord = r.cancelled
    ? rec
    : {
        ...rec,
        state: "restored",
        restoredAt: (o.now ?? new Date()).toISOString(),
        restoredCount: (rec.restoredCount ?? 0) + r.moved,
      };
  await saveRecord(redis, o.prefix, after);
  return { ...after, cancelled: r.cancelled, moved: r.moved };
}

export async function listQuarantines(
  redis: Redis,
  layout: QueueLayout,
  now = new Date(),
): Promise<QuarantineStatus[]> {
  const all = await redis.hgetall(`${layout.prefix}${QUARANTINE_INDEX}`);
  const out: QuarantineStatus[] = [];
  for (const raw of Object.values(all)) {
    const rec = JSON.parse(raw) as QuarantineRecord;
    const pipe = redis.pipeline();
    for (const s of consumeOrder(layout.prioritySteps)) pipe.llen(stepListKey(layout, rec.quarantine, s));
    const depth = ((await pipe.exec()) ?? []).reduce((sum, [, n]) => sum + (typeof n === "number" ? n : 0), 0);
    out.push({ ...rec, depth, expired: Date.parse(rec.expiresAt) <= now.getTime() });
  }
  return out.sort((a, b) => b.created.localeCompare(a.created));
}

/** A quarantine's index record before any message is moved into it (a purge, or a picked selection). */
export function newQuarantineRecord(queue: string, retentionSeconds: number, now: Date): QuarantineRecord {
  return {
    quarantine: `${QUARANTINE_PREFIX}${queue}.${stamp(now)}`,
    queue,
    count: 0,
    countByPriority: {},
    created: now.toISOString(),
    expiresAt: new Date(now.getTime() + retentionSeconds * 1000).toISOString(),
    state: "moving",
  };
}
