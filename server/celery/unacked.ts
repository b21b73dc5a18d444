import "server-only";
import type Redis from "ioredis";
import { parseUnackedEntry } from "./envelope";
import { lookupQueues, type BindingTable } from "./discovery";
import { unackedKeys, type KombuLayout } from "./kombu-keys";

// In-flight messages: kombu's ack emulation keeps every message a worker has taken but not acked in
// the `unacked` hash (tag -> [message, exchange, routing_key]) and its receive time in the
// `unacked_index` zset. Read with HSCAN (bounded memory: payloads are parsed and dropped at once).

const HSCAN_COUNT = 500;
/** A message received this long before the workers were asked, yet listed by none, is held by nobody. */
const INVENTORY_GRACE_MS = 2_000;

export interface InFlightCounts {
  unacked: number;
  orphaned: number;
  etaWaiting: number;
  running: number;
  prefetched: number;
  /** Epoch ms of the oldest receive time (index score) among this queue's entries. */
  oldestReceivedMs: number | null;
}

export interface InFlight {
  byQueue: Map<string, InFlightCounts>;
  /** Entries that could not be parsed (non-JSON, truncated, wrong shape). */
  malformed: number;
  total: number;
  /** task name -> queue, learnt from entries (used to attribute worker completions to queues). */
  taskQueues: Map<string, string>;
}

/** What live workers hold, from pidbox; null when the workers could not be asked. */
export interface HeldByWorkers {
  /** ids in some live worker's `active` list */
  active: Set<string>;
  /** ids in active, reserved or scheduled of some live worker */
  held: Set<string>;
  askedAtMs: number;
}

export interface ClassifyInput {
  nowMs: number;
  receivedMs: number | null;
  etaMs: number | null;
  id: string | null;
  visibilityTimeoutSeconds: number;
  workers: HeldByWorkers | null;
}

export type InFlightClass = "orphaned" | "etaWaiting" | "running" | "prefetched";

export function classify(x: ClassifyInput): InFlightClass {
  const id = x.id ?? "";
  if (x.workers?.active.has(id)) return "running";
  const heldAlive = x.workers?.held.has(id) ?? false;
  const expired = x.receivedMs !== null && x.nowMs - x.receivedMs > x.visibilityTimeoutSeconds * 1000;
  // kombu restores anything older than the visibility timeout, even from a live worker (the known
  // Celery ETA caveat), so an expired entry is orphaned unless a live worker says it holds it.
  if (expired && !heldAlive) return "orphaned";
  const abandoned = x.workers !== null && !heldAlive && x.receivedMs !== null && x.receivedMs < x.workers.askedAtMs - INVENTORY_GRACE_MS;
  if (abandoned) return "orphaned";
  if (x.etaMs !== null && x.etaMs > x.nowMs) return "etaWaiting";
  return "prefetched";
}

function empty(): InFlightCounts {
  return { unacked: 0, orphaned: 0, etaWaiting: 0, running: 0, prefetched: 0, oldestReceivedMs: null };
}

export async function readInFlight(
  redis: Redis,
  layout: KombuLayout,
  bindings: BindingTable,
  opts: { workers: HeldByWorkers | null; nowMs?: number },
): Promise<InFlight> {
  const nowMs = opts.nowMs ?? Date.now();
  const { unacked: hashKey, index: indexKey } = unackedKeys(layout);
  const out: InFlight = { byQueue: new Map(), malformed: 0, total: 0, taskQueues: new Map() };
  let cursor = "0";
  do {
    const [next, flat] = await redis.hscanBuffer(hashKey, cursor, "COUNT", HSCAN_COUNT);
    cursor = next.toString();
    const tags: Buffer[] = [];
    const values: Buffer[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      tags.push(flat[i] as Buffer);
      values.push(flat[i + 1] as Buffer);
    }
    if (tags.length === 0) continue;
    // ZMSCORE needs Redis 6.2; a pipeline of ZSCORE works everywhere.
    const pipe = redis.pipeline();
    for (const t of tags) pipe.zscore(indexKey, t);
    const scores = (await pipe.exec()) ?? [];
    values.forEach((value, i) => {
      out.total++;
      const entry = parseUnackedEntry(value);
      if (!entry.ok) {
        out.malformed++;
        return;
      }
      const { message, exchange, routingKey } = entry.value;
      const score = scores[i]?.[1];
      const receivedMs = typeof score === "string" && score !== "" ? Number(score) * 1000 : null;
      const kind = classify({ nowMs, receivedMs, etaMs: message.etaMs, id: message.id, visibilityTimeoutSeconds: layout.visibilityTimeoutSeconds, workers: opts.workers });
      for (const queue of lookupQueues(bindings, exchange || message.exchange || "", routingKey || message.routingKey || "")) {
        const c = out.byQueue.get(queue) ?? empty();
        c.unacked++;
        c[kind]++;
        if (receivedMs !== null && (c.oldestReceivedMs === null || receivedMs < c.oldestReceivedMs)) c.oldestReceivedMs = receivedMs;
        out.byQueue.set(queue, c);
        if (message.task) out.taskQueues.set(message.task, queue);
      }
    });
  } while (cursor !== "0");
  return out;
}
