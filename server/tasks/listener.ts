import "server-only";
import type Redis from "ioredis";
import type { BrokerConfig } from "@/server/config";
import { brokerDb, getSubscriber, heldSubscriber, isSentinel } from "@/server/celery/connections";
import { fanoutChannels, layoutOf } from "@/server/celery/kombu-keys";
import { knownWorkers } from "@/server/celery/workers";
import { errorMessage } from "@/server/errors";
import { parseTaskEvents, TaskTimings } from "./events";
import { countEvent } from "./prometheus";
import { processState } from "@/server/process-state";

// One task-event listener per broker. Celery workers started with -E (or told enable_events) publish task events on
// the celeryev fanout exchange; kombu 5.2's Redis transport PUBLISHes them on `<global_keyprefix>/<db>.celeryev/
// task.<kind>` (`task.multi` for a buffered batch), or on `.../<db>.celeryev` with no tail when fanout_patterns is
// off. Pub/sub keeps nothing: an event sent while we are disconnected is lost, so everything here is "as seen".
// The subscriber connection is the broker's dedicated one (shared with the heartbeat listener, each filters by its
// own pattern); ioredis re-subscribes after a reconnect.

export interface EventsListener {
  broker: string;
  timings: TaskTimings;
  subscriber: Redis | null;
  startedMs: number;
  error: string | null;
  ready: Promise<void>;
}

const eventListeners = () => processState("tasks/listeners", () => new Map<string, EventsListener>());

/** The pattern (one per channel name a kombu version may use) that task events of this broker arrive on. */
function taskEventPatterns(broker: BrokerConfig): string[] {
  const layout = layoutOf(broker);
  return fanoutChannels(layout, brokerDb(broker), layout.eventExchange, "task.*", isSentinel(broker));
}

/** Starts (once) the task-event listener of a broker; `ready` resolves when subscribed or failed. */
export function ensureEventsListener(broker: BrokerConfig, nowMs = Date.now()): EventsListener {
  const key = JSON.stringify([broker.name, broker.url, layoutOf(broker)]);
  const existing = eventListeners().get(key);
  // A subscriber closed or replaced (closeAllBrokers, a new URL) does not come back by itself: subscribe again,
  // keeping what was counted.
  if (existing && (existing.subscriber === null || existing.subscriber === heldSubscriber(broker))) return existing;
  const listener: EventsListener = {
    broker: broker.name,
    timings: existing?.timings ?? new TaskTimings(),
    subscriber: null,
    startedMs: existing?.startedMs ?? nowMs,
    error: null,
    ready: Promise.resolve(),
  };
  listener.ready = (async () => {
    try {
      const sub = await getSubscriber(broker);
      listener.subscriber = sub;
      const patterns = taskEventPatterns(broker);
      sub.on("pmessageBuffer", (p: Buffer, _channel: Buffer, message: Buffer) => {
        if (!patterns.includes(p.toString())) return;
        const now = Date.now();
        for (const e of parseTaskEvents(message)) {
          for (const seen of listener.timings.apply(e, now, (host) => queuesOf(broker.name, host)))
            countEvent(broker.name, seen);
        }
      });
      await sub.psubscribe(...patterns);
      listener.error = null;
    } catch (e) {
      listener.error = errorMessage(e);
      eventListeners().delete(key); // the next call tries again
    }
  })();
  eventListeners().set(key, listener);
  return listener;
}

const queuesOf = (broker: string, hostname: string) =>
  knownWorkers(broker).find((w) => w.hostname === hostname)?.queues ?? [];

/** The listener of a broker if one runs (reads never start one). */
export function eventsListenerOf(brokerName: string): EventsListener | null {
  for (const l of eventListeners().values()) if (l.broker === brokerName) return l;
  return null;
}
