import "server-only";
import type Redis from "ioredis";
import { parseUnackedEntry, type TaskMessage } from "./envelope";
import { lookupQueues, type BindingTable, type ExchangeTypes } from "./discovery";
import { unackedKeys, type KombuLayout } from "./kombu-keys";

// In-flight messages: kombu's ack emulation keeps every message a worker has taken but not acked in
// the `unacked` hash (tag -> [message, exchange, routing_key]) and its receive time in the
// `unacked_index` zset. Read with HSCAN (bounded memory: payloads are parsed and dropped at once) and the index in
// rank chunks (a map of tag -> time: 100,000 entries are a few MiB).

const HSCAN_COUNT = 500;
/** A message received this long before the workers were asked, yet listed by none, is held by nobody. */
const INVENTORY_GRACE_MS = 2_000;

export interface InFlightCounts {
  unacked: number;
  /** Held by no live worker (the one meaning of "orphaned": what the queue page, the alert and requeue-orphans use). */
  orphaned: number;
  etaWaiting: number;
  running: number;
  prefetched: number;
  /** Taken by a live worker that rate-limits its task: held in the worker's token bucket, listed nowhere. */
  rateLimited: number;
  /** Older than the visibility timeout: what kombu's own restore_visible would put back, live worker or not. */
  kombuRestorable: number;
  /** Epoch ms of the oldest receive time (index score) among this queue's entries. */
  oldestReceivedMs: number | null;
}

export interface InFlight {
  byQueue: Map<string, InFlightCounts>;
  /** Entries that could not be parsed (non-JSON, truncated, wrong shape). */
  malformed: number;
  /** Entries kombu could not route anywhere (no binding matches their exchange and routing key). */
  unroutable: number;
  total: number;
  /** task name -> queue, learnt from entries (used to attribute worker completions to queues). */
  taskQueues: Map<string, string>;
  /** Delivery tags of the orphaned entries (at most MAX_ORPHAN_TAGS): exactly what requeue-orphans requeues. */
  orphanTags: string[];
  /**
   * Orphaned entries of fanout exchanges: exchange -> entries and the bound queues they route to. A requeue (like
   * kombu's restore) pushes them into those queues' lists, which fanout consumers never read.
   */
  orphanedViaFanout: Map<string, { entries: number; queues: string[] }>;
}

/** What live workers hold, from pidbox; null when the workers could not all be asked (then nothing is orphaned). */
export interface HeldByWorkers {
  /** ids in some live worker's `active` list */
  active: Set<string>;
  /** ids in active, reserved or scheduled of some live worker */
  held: Set<string>;
  /** queue -> task names some live worker consuming that queue rate-limits (its token bucket holds such requests). */
  rateLimited: Map<string, Set<string>>;
  askedAtMs: number;
}

export interface ClassifyInput {
  nowMs: number;
  receivedMs: number | null;
  etaMs: number | null;
  id: string | null;
  task?: string | null;
  queue?: string;
  workers: HeldByWorkers | null;
}

export type InFlightClass = "orphaned" | "etaWaiting" | "running" | "prefetched" | "rateLimited";

/**
 * One rule for "orphaned", used for the count, the alert, the preview and the requeue alike: every live worker
 * answered, none lists the message (active, reserved, scheduled), no live consumer of its queue holds its task in a
 * rate-limit bucket, and it was delivered well before the workers were asked (a message taken after the question
 * cannot be in the answer). A message a live worker holds is never orphaned, however old: requeueing it would run it
 * twice. The visibility timeout does not enter here; it decides kombuRestorable (see readInFlight).
 */
export function classify(x: ClassifyInput): InFlightClass {
  const id = x.id ?? "";
  if (x.workers?.active.has(id)) return "running";
  const held = x.workers?.held.has(id) ?? false;
  if (!held && x.workers && x.task && x.queue && x.workers.rateLimited.get(x.queue)?.has(x.task)) return "rateLimited";
  const abandoned =
    x.workers !== null && !held && x.receivedMs !== null && x.receivedMs < x.workers.askedAtMs - INVENTORY_GRACE_MS;
  if (abandoned) return "orphaned";
  if (x.etaMs !== null && x.etaMs > x.nowMs) return "etaWaiting";
  return "prefetched";
}

function empty(): InFlightCounts {
  return {
    unacked: 0,
    orphaned: 0,
    etaWaiting: 0,
    running: 0,
    prefetched: 0,
    rateLimited: 0,
    kombuRestorable: 0,
    oldestReceivedMs: null,
  };
}

const MAX_ORPHAN_TAGS = 10_000;
const INDEX_CHUNK = 2_000;

/**
 * Every delivery tag's receive time (kombu's unacked_index scores, epoch seconds), read in bounded ZRANGE chunks by
 * rank: each command costs O(log N + chunk), none holds Redis for long, and 100,000 entries take 50 round trips
 * instead of one ZSCORE each. Entries that move while the chunks are read are either seen twice (harmless in a map)
 * or missed and then asked for by tag.
 */
async function readIndex(redis: Redis, indexKey: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let start = 0; ; start += INDEX_CHUNK) {
    const flat = await redis.zrangeBuffer(indexKey, start, start + INDEX_CHUNK - 1, "WITHSCORES");
    for (let i = 0; i + 1 < flat.length; i += 2)
      out.set((flat[i] as Buffer).toString("latin1"), Number((flat[i + 1] as Buffer).toString()));
    if (flat.length < INDEX_CHUNK * 2) return out;
  }
}

export async function readInFlight(
  redis: Redis,
  layout: KombuLayout,
  bindings: BindingTable,
  opts: {
    workers: HeldByWorkers | null;
    nowMs?: number;
    exchangeTypes?: ExchangeTypes;
    /**
     * Each parsed entry with the queues kombu routes it to and the entry as stored ([message, exchange, routing_key]
     * JSON): the console keeps task messages it saw (server/failures/seen.ts).
     */
    onEntry?: (message: TaskMessage, queues: string[], value: Buffer) => void;
  },
): Promise<InFlight> {
  const nowMs = opts.nowMs ?? Date.now();
  const { unacked: hashKey, index: indexKey } = unackedKeys(layout);
  const out: InFlight = {
    byQueue: new Map(),
    malformed: 0,
    unroutable: 0,
    total: 0,
    taskQueues: new Map(),
    orphanTags: [],
    orphanedViaFanout: new Map(),
  };
  const received = await readIndex(redis, indexKey);
  // HSCAN may return an entry more than once (when the hash is rehashed during the scan): count each tag once.
  const seen = new Set<string>();
  let cursor = "0";
  do {
    const [next, flat] = await redis.hscanBuffer(hashKey, cursor, "COUNT", HSCAN_COUNT);
    cursor = next.toString();
    const tags: Buffer[] = [];
    const values: Buffer[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const tag = (flat[i] as Buffer).toString("latin1");
      if (seen.has(tag)) continue;
      seen.add(tag);
      tags.push(flat[i] as Buffer);
      values.push(flat[i + 1] as Buffer);
    }
    if (tags.length === 0) continue;
    // Entries delivered after the index was read: asked for one by one (few; ZMSCORE would need Redis 6.2).
    const missing = tags.filter((t) => !received.has(t.toString("latin1")));
    if (missing.length > 0) {
      const pipe = redis.pipeline();
      for (const t of missing) pipe.zscore(indexKey, t);
      ((await pipe.exec()) ?? []).forEach(([, score], i) => {
        if (typeof score === "string" && score !== "")
          received.set((missing[i] as Buffer).toString("latin1"), Number(score));
      });
    }
    values.forEach((value, i) => {
      out.total++;
      const entry = parseUnackedEntry(value);
      if (!entry.ok) {
        out.malformed++;
        return;
      }
      const { message, exchange, routingKey } = entry.value;
      const score = received.get((tags[i] as Buffer).toString("latin1"));
      const receivedMs = score === undefined ? null : score * 1000;
      const expired = receivedMs !== null && nowMs - receivedMs > layout.visibilityTimeoutSeconds * 1000;
      const ex = exchange || message.exchange || "";
      const queues = lookupQueues(bindings, ex, routingKey || message.routingKey || "", opts.exchangeTypes);
      if (queues.length === 0) out.unroutable++;
      opts.onEntry?.(message, queues, value);
      let orphan = false;
      for (const queue of queues) {
        const kind = classify({
          nowMs,
          receivedMs,
          etaMs: message.etaMs,
          id: message.id,
          task: message.task,
          queue,
          workers: opts.workers,
        });
        const c = out.byQueue.get(queue) ?? empty();
        c.unacked++;
        c[kind]++;
        if (expired) c.kombuRestorable++;
        orphan ||= kind === "orphaned";
        if (receivedMs !== null && (c.oldestReceivedMs === null || receivedMs < c.oldestReceivedMs))
          c.oldestReceivedMs = receivedMs;
        out.byQueue.set(queue, c);
        if (message.task) out.taskQueues.set(message.task, queue);
      }
      if (orphan && out.orphanTags.length < MAX_ORPHAN_TAGS) out.orphanTags.push((tags[i] as Buffer).toString("utf8"));
      if (orphan && ex && opts.exchangeTypes?.get(ex) === "fanout") {
        const f = out.orphanedViaFanout.get(ex) ?? { entries: 0, queues: [] };
        f.entries++;
        f.queues = [...new Set([...f.queues, ...queues])].sort();
        out.orphanedViaFanout.set(ex, f);
      }
    });
  } while (cursor !== "0");
  return out;
}
