import "server-only";
import { getDb } from "@/server/db";
import type { SeenMessagesTable } from "@/server/db/schema";
import { fieldsOf, seenFields } from "@/server/celery/reissue";
import type { TaskMessage } from "@/server/celery/envelope";
import { log } from "@/server/log";
import { processState } from "@/server/process-state";

// Task messages the console saw before they ran, kept so a failure the result backend recorded without
// result_extended (no name, arguments or queue) can still be re-published. The console already reads whole messages
// in three places: the next message at each queue's head and kombu's unacked hash (every broker pass), and the pages
// of the message browser. Each new task id is noted in memory during the read and written once after it (insert if
// absent); a bounded set per broker remembers the ids already written so later passes do not write them again.
// The envelope holds the task's arguments: it is never logged, and leaves the server only as the message browser's
// envelope would (admin with showTaskArguments), which nothing here does.

/** Kept this long, and at most this many rows over all brokers (pruned on the compact schedule). */
export const SEEN_KEEP_MS = 7 * 24 * 3600_000;
export const SEEN_MAX_ROWS = 100_000;
/** Ids remembered per broker as already written (about 5 MB at 50 bytes an id). */
const WRITTEN_KEPT = 100_000;
/** New messages noted per broker between two writes; the rest are noted by a later pass (they are still there). */
const PENDING_MAX = 2_000;
/** A larger message is not kept (100,000 of them would be gigabytes); its failure is explained, not retried. */
export const SEEN_MAX_ENVELOPE_BYTES = 256 * 1024;

interface BrokerSeen {
  written: Set<string>;
  pending: Map<string, SeenMessagesTable>;
}

const seenState = () => processState("failures/seen-messages", () => new Map<string, BrokerSeen>());

function brokerSeen(broker: string): BrokerSeen {
  const all = seenState();
  let s = all.get(broker);
  if (!s) {
    s = { written: new Set(), pending: new Map() };
    all.set(broker, s);
  }
  return s;
}

/** Whether a message with this id needs no parse: already written or noted, or no room is left until the write. */
export function skipSeen(broker: string, id: string | null): boolean {
  if (!id) return false;
  const s = brokerSeen(broker);
  return s.written.has(id) || s.pending.has(id) || s.pending.size >= PENDING_MAX;
}

/**
 * Notes one message read from `queue`'s list (or held by a worker for it). `raw` is the message as kombu wrote it
 * (the list item, or the first element of an unacked entry serialized back). Cheap when the id is known.
 */
export function noteSeenMessage(
  broker: string,
  queue: string,
  raw: string | Buffer,
  parsed: TaskMessage | null = null,
  nowMs = Date.now(),
): void {
  if (skipSeen(broker, parsed?.id ?? null)) return;
  if (raw.length > SEEN_MAX_ENVELOPE_BYTES) return;
  const f = parsed ? fieldsOf(parsed) : seenFields(raw);
  if (!f) return;
  const s = brokerSeen(broker);
  if (s.written.has(f.id) || s.pending.has(f.id) || s.pending.size >= PENDING_MAX) return;
  s.pending.set(f.id, {
    broker,
    task_id: f.id,
    task_name: f.task,
    queue,
    exchange: f.exchange,
    routing_key: f.routingKey,
    priority: f.priority,
    envelope: typeof raw === "string" ? raw : raw.toString("utf8"),
    seen_at: nowMs,
  });
}

/**
 * Notes a message a worker holds (an entry of kombu's unacked hash: JSON [message, exchange, routing_key]) for the
 * one queue kombu routes it to; entries routed to several queues (fanout, topic) are not kept.
 */
export function noteHeldMessage(broker: string, message: TaskMessage, queues: string[], value: Buffer): void {
  const queue = queues.length === 1 ? queues[0] : undefined;
  if (queue === undefined || !fieldsOf(message) || skipSeen(broker, message.id)) return;
  if (value.length > SEEN_MAX_ENVELOPE_BYTES) return;
  let envelope: unknown;
  try {
    envelope = (JSON.parse(value.toString("utf8")) as unknown[])[0];
  } catch {
    return;
  }
  noteSeenMessage(broker, queue, JSON.stringify(envelope), message);
}

/** Writes what was noted since the last write (a row already there is kept: the first sighting wins). */
export async function flushSeenMessages(broker: string): Promise<number> {
  const s = brokerSeen(broker);
  if (s.pending.size === 0) return 0;
  const rows = [...s.pending.values()];
  s.pending = new Map();
  try {
    const db = await getDb();
    for (let i = 0; i < rows.length; i += 100) {
      await db
        .insertInto("seen_messages")
        .values(rows.slice(i, i + 100))
        .onConflict((oc) => oc.columns(["broker", "task_id"]).doNothing())
        .execute();
    }
  } catch (e) {
    // Not remembered as written: the next pass notes them again if they are still there. The rows are not logged
    // (they hold arguments); the error names the database's complaint only.
    log.warn({ broker, err: e }, "could not record seen task messages");
    return 0;
  }
  for (const r of rows) s.written.add(r.task_id);
  // Sets iterate in insertion order: forget the oldest ids past the bound (a later sighting only rewrites nothing).
  for (const id of s.written) {
    if (s.written.size <= WRITTEN_KEPT) break;
    s.written.delete(id);
  }
  return rows.length;
}

/** The message seen for a task on a broker, if the console saw one. */
export async function getSeenMessage(broker: string, taskId: string): Promise<SeenMessagesTable | undefined> {
  const db = await getDb();
  return db
    .selectFrom("seen_messages")
    .selectAll()
    .where("broker", "=", broker)
    .where("task_id", "=", taskId)
    .executeTakeFirst();
}

export interface SeenRef {
  taskName: string;
  queue: string;
  seenAt: number;
}

/** For a page of failures: which of these tasks the console saw in a queue (without their envelopes). */
export async function seenRefs(broker: string, taskIds: string[]): Promise<Map<string, SeenRef>> {
  const out = new Map<string, SeenRef>();
  if (taskIds.length === 0) return out;
  const db = await getDb();
  for (let i = 0; i < taskIds.length; i += 500) {
    const rows = await db
      .selectFrom("seen_messages")
      .select(["task_id", "task_name", "queue", "seen_at"])
      .where("broker", "=", broker)
      .where("task_id", "in", taskIds.slice(i, i + 500))
      .execute();
    for (const r of rows) out.set(r.task_id, { taskName: r.task_name, queue: r.queue, seenAt: Number(r.seen_at) });
  }
  return out;
}

/** Drops rows older than SEEN_KEEP_MS, then the oldest beyond SEEN_MAX_ROWS. Returns the rows deleted. */
export async function pruneSeenMessages(
  nowMs = Date.now(),
  limits: { keepMs?: number; maxRows?: number } = {},
): Promise<number> {
  const db = await getDb();
  const keepMs = limits.keepMs ?? SEEN_KEEP_MS;
  const maxRows = limits.maxRows ?? SEEN_MAX_ROWS;
  const old = await db
    .deleteFrom("seen_messages")
    .where("seen_at", "<", nowMs - keepMs)
    .executeTakeFirst();
  // The seen_at of the newest row past the bound: that row and everything older go (ties at the edge go too).
  const edge = await db
    .selectFrom("seen_messages")
    .select("seen_at")
    .orderBy("seen_at", "desc")
    .limit(1)
    .offset(maxRows)
    .executeTakeFirst();
  let over = 0n;
  if (edge) {
    const r = await db.deleteFrom("seen_messages").where("seen_at", "<=", Number(edge.seen_at)).executeTakeFirst();
    over = BigInt(r.numDeletedRows);
  }
  return Number(BigInt(old.numDeletedRows) + over);
}

/** Tests: forget which ids were written (as a console restart does). */
export function forgetSeenIds(): void {
  seenState().clear();
}
