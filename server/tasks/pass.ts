import "server-only";
import type { BrokerConfig } from "@/server/config";
import { log } from "@/server/log";
import { ensureEventsListener, eventsListenerOf } from "./listener";
import { recordTaskTallies } from "./store";

// The scheduler's task-events pass: keep a listener per broker, and hand what each counted to the store. Every
// instance listens (its /metrics counts what it hears); only the history writer stores, so instances sharing a
// database do not count a task twice.

export async function taskEventsPass(brokers: BrokerConfig[], writer: boolean, now = Date.now()): Promise<void> {
  await Promise.all(
    brokers.map(async (b) => {
      const listener = ensureEventsListener(b, now);
      await listener.ready;
      const tallies = listener.timings.take();
      if (!writer) return;
      await recordTaskTallies(b.name, tallies, now).catch((e) =>
        log.warn({ err: e, broker: b.name }, "could not write task timings"),
      );
    }),
  );
}

export interface EventsStatus {
  /** Subscribed to the broker's celeryev channel. */
  listening: boolean;
  error: string | null;
  /** When this console started listening (epoch ms). */
  sinceMs: number | null;
  /** The last task event heard (epoch ms), null when none since the console started listening. */
  lastTaskEventMs: number | null;
  /** Worker hostname -> last task event heard from it. */
  hosts: Record<string, number>;
}

export function eventsStatus(broker: string): EventsStatus {
  const l = eventsListenerOf(broker);
  if (!l) return { listening: false, error: null, sinceMs: null, lastTaskEventMs: null, hosts: {} };
  return {
    listening: l.subscriber !== null && l.error === null,
    error: l.error,
    sinceMs: l.startedMs,
    lastTaskEventMs: l.timings.lastEventMs,
    hosts: Object.fromEntries(l.timings.lastEventByHost),
  };
}
