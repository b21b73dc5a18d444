import "server-only";
import { knownWorkers } from "@/server/celery/workers";
import type { HistoryRange } from "@/server/schemas/ranges";
import type { TaskTimingsResponse } from "@/server/schemas/tasks";
import { brokerConfig } from "@/server/sources/lookup";
import { ensureEventsListener } from "./listener";
import { eventsStatus } from "./pass";
import { taskStats } from "./store";

/** Task timings of a broker (tasks seen on `queue`, or one task), with whether task events arrive at all. */
export async function taskTimings(
  broker: string,
  range: HistoryRange,
  opts: { queue?: string; task?: string } = {},
): Promise<TaskTimingsResponse> {
  ensureEventsListener(brokerConfig(broker)); // throws NotFoundError for an unknown broker
  const status = eventsStatus(broker);
  const workers = knownWorkers(broker)
    .filter((w) => w.alive && (opts.queue === undefined || w.queues.includes(opts.queue)))
    .map((w) => ({ hostname: w.hostname, alive: w.alive, lastTaskEventMs: status.hosts[w.hostname] ?? null }))
    .sort((a, b) => a.hostname.localeCompare(b.hostname));
  return {
    broker,
    range,
    listening: status.listening,
    listenError: status.error,
    listeningSinceMs: status.sinceMs,
    lastTaskEventMs: status.lastTaskEventMs,
    workers,
    tasks: await taskStats(broker, range, opts),
  };
}
