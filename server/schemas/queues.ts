// Queue and worker shapes shared by server and browser.
import type { Status } from "./containers";

/** A queue's status adds "idle": empty and consumed by nobody (nothing is wrong yet, but nothing is served). */
export type QueueStatus = Status | "idle";

/** A queue paused from the console (queue.pause): consumers were told to cancel_consumer; resume starts them again. */
export interface QueuePause {
  broker: string;
  queue: string;
  /** Who paused it (a username). */
  by: string;
  /** When (epoch ms). */
  since: number;
  reason: string;
  /** The audit id of the pause. */
  auditId: string;
  /** Hostnames told to stop consuming it (the ones consuming at the pause, and any that appeared since). */
  workers: string[];
}

export interface QueueSummary {
  name: string;
  depth: number;
  /** Depth per priority step: keys are the steps ("0","3","6","9"). */
  byPriority: Record<string, number>;
  unacked: number;
  /** Unacked and held by no live worker (every live worker answered and none holds it): what requeue-orphans requeues. */
  orphaned: number;
  /** Unacked and older than the visibility timeout: what kombu's own restore_visible would redeliver, held or not. */
  kombuRestorable?: number;
  /** Unacked and waiting in a live worker's rate-limit bucket (listed by no inspect command). */
  rateLimited?: number;
  /** Worker hostnames consuming this queue. */
  consumers: string[];
  ratePerMinuteIn: number | null;
  ratePerMinuteOut: number | null;
  drainSeconds: number | null;
  oldestSeenSeconds: number | null;
  threshold: number;
  status: QueueStatus;
  /**
   * The fanout exchange this queue is bound to, when known (a worker's active_queues or the broker's exchange_types):
   * kombu consumes such a queue over pub/sub, so messages in its list are never delivered.
   */
  fanoutExchange?: string;
  /** configured | binding | worker: where the queue name was found. */
  origins: string[];
  /** Set while the queue is paused from the console. */
  paused?: QueuePause;
  /** Recent depth trail for sparklines: [tsMs, depth][]. */
  spark?: [number, number][];
}

export interface BrokerSummary {
  name: string;
  ok: boolean;
  error: string | null;
  sampledAt: number | null;
  /**
   * True while this pass's worker replies are still being collected: depths are fresh, while consumers, in-flight
   * counts and rates are still those of the previous pass (the full summary follows once the pidbox round ends).
   */
  workersPending?: boolean;
  queues: QueueSummary[];
}

export interface WorkerSummary {
  broker: string;
  hostname: string;
  alive: boolean;
  lastSeen: number;
  pool: string | null;
  concurrency: number | null;
  processes: number[];
  autoscale: [number, number] | null;
  queues: string[];
  active: number;
  reserved: number;
  scheduled: number;
  via: "heartbeat" | "ping";
}
