import "server-only";
import type Redis from "ioredis";
import type { BrokerConfig } from "@/server/config";
import { errorMessage } from "@/server/errors";
import { brokerDb, getSubscriber, heldSubscriber, isSentinel } from "./connections";
import { decodeKombuBody } from "./envelope";
import { fanoutChannels, layoutOf } from "./kombu-keys";
import { processState } from "@/server/process-state";

// Listens to Celery's worker events (event_exchange `celeryev`, published by workers started with -E) on
// the broker's pub/sub channel `<prefix>/<db>.celeryev/worker.<kind>` (kombu's _get_publish_topic: without the
// `/worker.<kind>` tail when fanout_patterns is off, so then the whole exchange is heard and filtered by type). One listener per broker, kept on
// globalThis; the subscriber connection reconnects and re-subscribes by itself (ioredis autoResubscribe).

export interface Heartbeat {
  hostname: string;
  /** Local receipt time (epoch ms): worker clocks may be skewed. */
  lastSeenMs: number;
  /** Heartbeat interval the worker announces (`freq`, seconds). */
  freqSeconds: number;
  /** worker-offline was received: the worker shut down cleanly. */
  offline: boolean;
  active: number | null;
  processed: number | null;
}

interface Listener {
  beats: Map<string, Heartbeat>;
  subscriber: Redis | null;
  error: string | null;
  ready: Promise<void>;
}

const listeners = () => processState("celery/heartbeats", () => new Map<string, Listener>());

const FORGET_AFTER_MS = 10 * 60_000;

export function onEvent(beats: Map<string, Heartbeat>, raw: string | Buffer, nowMs: number): void {
  const decoded = decodeKombuBody(raw);
  if (!decoded.ok) return;
  // task.multi carries a list of events; worker.* carries one.
  const events = Array.isArray(decoded.value.body) ? decoded.value.body : [decoded.value.body];
  for (const ev of events) {
    if (!ev || typeof ev !== "object") continue;
    const e = ev as Record<string, unknown>;
    if (typeof e.hostname !== "string" || typeof e.type !== "string" || !e.type.startsWith("worker-")) continue;
    beats.set(e.hostname, {
      hostname: e.hostname,
      lastSeenMs: nowMs,
      freqSeconds: typeof e.freq === "number" && e.freq > 0 ? e.freq : 2,
      offline: e.type === "worker-offline",
      active: typeof e.active === "number" ? e.active : null,
      processed: typeof e.processed === "number" ? e.processed : null,
    });
  }
  for (const [host, b] of beats) if (nowMs - b.lastSeenMs > FORGET_AFTER_MS) beats.delete(host);
}

/** Starts (once) the event listener of a broker; resolves when subscribed or failed. */
export function ensureHeartbeatListener(broker: BrokerConfig): Listener {
  const layout = layoutOf(broker);
  const key = JSON.stringify([broker.name, broker.url, layout]);
  const existing = listeners().get(key);
  // A subscriber closed or replaced (closeAllBrokers, a new URL) does not come back: start over.
  if (existing && (existing.subscriber === null || existing.subscriber === heldSubscriber(broker))) return existing;
  const listener: Listener = {
    beats: existing?.beats ?? new Map(),
    subscriber: null,
    error: null,
    ready: Promise.resolve(),
  };
  listener.ready = (async () => {
    try {
      const sub = await getSubscriber(broker);
      listener.subscriber = sub;
      const patterns = fanoutChannels(layout, brokerDb(broker), layout.eventExchange, "worker.*", isSentinel(broker));
      sub.on("pmessageBuffer", (p: Buffer, _channel: Buffer, message: Buffer) => {
        if (patterns.includes(p.toString())) onEvent(listener.beats, message, Date.now());
      });
      await sub.psubscribe(...patterns);
      listener.error = null;
    } catch (e) {
      listener.error = errorMessage(e);
      listeners().delete(key); // try again on the next call
    }
  })();
  listeners().set(key, listener);
  return listener;
}

/** A heartbeat is fresh while younger than two announced intervals (Celery's own rule uses ~2x too). */
export function isFresh(b: Heartbeat, nowMs: number): boolean {
  return !b.offline && nowMs - b.lastSeenMs <= 2 * b.freqSeconds * 1000;
}
