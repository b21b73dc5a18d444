import "server-only";
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { ConflictError } from "@/server/errors";
import { lookupQueues, readBindings, type ExchangeTypes } from "@/server/celery/discovery";
import { messagePriority, priorityListKey, unackedKeys, type QueueLayout } from "./keys";
import { withQueueOps } from "./scripts";

// Requeues messages a dead worker left in kombu's `unacked` hash, doing what kombu 5.2's
// QoS.restore_visible does: take `unacked_mutex` (SET NX PX, as redis-py's Lock), pick entries of
// `unacked_index` older than the visibility timeout, and for each remove it from both indices and
// RPUSH it (the consumer end: delivered next) with headers.redelivered and
// properties.delivery_info.redelivered set. One Lua call per message makes the move atomic.
//
// One deliberate difference: kombu 5.2's _do_restore_message pushes to the bare queue name, which
// drops a message's priority; we push to the sub-list of its properties.priority, as later kombu does.
//
// Routing is kombu's _lookup by the exchange's type (exchangeTypes: learnt from live workers or configured), so a
// fanout exchange's message goes to every bound queue, exactly as a worker that declared the exchange restores it. Like
// kombu, that means RPUSHing into the lists of fanout queues, which their consumers (subscribed over pub/sub) never
// read: such pushes are counted in intoFanoutLists so the caller can say so.

export interface RequeueOptions extends QueueLayout {
  /** Exactly these delivery tags, whatever their age; otherwise entries older than the layout's visibility_timeout. */
  deliveryTags?: string[];
  limit?: number;
  nowMs?: number;
  /** Exchange types to route by (an exchange not in it: guessed from its bindings, see lookupQueues). */
  exchangeTypes?: ExchangeTypes;
}

export interface RequeueResult {
  requeued: number;
  byQueue: Record<string, number>;
  /** Acked or changed by a worker while we looked: left alone. */
  skipped: string[];
  /** No binding matches its exchange/routing key, or its JSON cannot be rewritten safely: left in unacked. */
  unroutable: string[];
  /** Index entries with no message behind them, dropped as kombu does. */
  staleIndex: number;
  /** Entries that are not kombu's [message, exchange, routing_key] JSON (or carry a null message): reported, left alone. */
  malformed: string[];
  /** queue -> messages pushed into its list because it is bound to a fanout exchange (nothing consumes that list). */
  intoFanoutLists: Record<string, number>;
}

/** The unacked entry as kombu's restore_by_tag reads it (`M, EX, RK = loads(p)`), or null when it is not one. */
export function parseUnackedRaw(raw: string): [Envelope, string, string] | "unsafe" | null {
  if (hasUnsafeInteger(raw)) return "unsafe";
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!Array.isArray(v) || v.length !== 3) return null;
  const [m, ex, rk] = v as unknown[];
  if (!m || typeof m !== "object" || Array.isArray(m) || typeof ex !== "string" || typeof rk !== "string") return null;
  return [m as Envelope, ex, rk];
}

/** Integers beyond 2^53 would be rounded by JSON.parse; refuse to rewrite such a message. */
export function hasUnsafeInteger(raw: string): boolean {
  return /\d{16,}/.test(raw.replace(/"(?:[^"\\]|\\.)*"/g, '""'));
}

export type Envelope = { headers?: Record<string, unknown>; properties?: { delivery_info?: Record<string, unknown> } };

export function markRedelivered(payload: Envelope): void {
  // Same order and KeyError behaviour as kombu: no headers -> nothing is marked.
  if (!payload.headers || typeof payload.headers !== "object") return;
  payload.headers.redelivered = true;
  const di = payload.properties?.delivery_info;
  if (di && typeof di === "object") di.redelivered = true;
}

async function newestFirst(redis: Redis, index: string, tags: readonly string[]): Promise<string[]> {
  const scores = new Map<string, number>();
  for (let i = 0; i < tags.length; i += 1000) {
    const pipe = redis.pipeline();
    for (const t of tags.slice(i, i + 1000)) pipe.zscore(index, t);
    ((await pipe.exec()) ?? []).forEach(([, v], j) =>
      scores.set(tags[i + j] as string, v === null || v === undefined ? -Infinity : Number(v)),
    );
  }
  return [...new Set(tags)].sort((a, b) => (scores.get(b) ?? -Infinity) - (scores.get(a) ?? -Infinity));
}

export async function requeueOrphans(redis: Redis, o: RequeueOptions): Promise<RequeueResult> {
  const r = withQueueOps(redis);
  const keys = unackedKeys(o);
  const token = randomUUID().replace(/-/g, "");
  const expireMs = Math.round(o.unackedMutexExpireSeconds * 1000);
  if ((await r.set(keys.mutex, token, "PX", expireMs, "NX")) !== "OK")
    throw new ConflictError(
      "kombu's unacked_mutex is held: a worker is restoring messages right now; try again shortly",
    );
  const result: RequeueResult = {
    requeued: 0,
    byQueue: {},
    skipped: [],
    unroutable: [],
    staleIndex: 0,
    malformed: [],
    intoFanoutLists: {},
  };
  try {
    let table: Awaited<ReturnType<typeof readBindings>> | null = null;
    const bindingsOnce = async () => (table ??= await readBindings(r, o));
    let tags = o.deliveryTags;
    if (!tags) {
      const ceilSeconds = (o.nowMs ?? Date.now()) / 1000 - o.visibilityTimeoutSeconds;
      tags = await r.zrangebyscore(keys.index, 0, ceilSeconds, "LIMIT", 0, o.limit ?? 10_000);
    }
    // kombu's restore_visible walks the index newest first (ZREVRANGEBYSCORE) and RPUSHes each onto the consumer
    // end, so the OLDEST delivery ends up next to run. Do the same for any set of tags.
    tags = await newestFirst(r, keys.index, tags);
    for (const tag of tags) {
      const raw = await r.hget(keys.unacked, tag);
      if (raw === null) {
        const n = await r.lwDropStaleIndex(keys.unacked, keys.index, keys.mutex, tag, token);
        if (n === -1)
          throw new ConflictError("lost kombu's unacked_mutex mid-way (it expired); the rest was left alone");
        result.staleIndex += n;
        continue;
      }
      const parsed = parseUnackedRaw(raw);
      if (parsed === null) {
        result.malformed.push(tag);
        continue;
      }
      const queues =
        parsed !== "unsafe" ? lookupQueues(await bindingsOnce(), parsed[1], parsed[2], o.exchangeTypes) : [];
      if (parsed === "unsafe" || queues.length === 0) {
        result.unroutable.push(tag);
        continue;
      }
      const [payload] = parsed;
      markRedelivered(payload);
      const dsts = queues.map((q) => priorityListKey(o, q, messagePriority(payload)));
      const status = await r.lwRestoreUnacked(
        3 + dsts.length,
        keys.unacked,
        keys.index,
        keys.mutex,
        ...dsts,
        tag,
        raw,
        token,
        JSON.stringify(payload),
      );
      if (status === -1)
        throw new ConflictError("lost kombu's unacked_mutex mid-way (it expired); the rest was left alone");
      if (status === 0) result.skipped.push(tag);
      else {
        result.requeued++;
        for (const q of queues) result.byQueue[q] = (result.byQueue[q] ?? 0) + 1;
        if (parsed[1] && o.exchangeTypes?.get(parsed[1]) === "fanout")
          for (const q of queues) result.intoFanoutLists[q] = (result.intoFanoutLists[q] ?? 0) + 1;
      }
    }
    return result;
  } finally {
    await r.lwReleaseMutex(keys.mutex, token).catch(() => undefined);
  }
}
