// Task timings from Celery events, shared by server and browser.

export interface Percentiles {
  /** Seconds; null when nothing was measured. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  count: number;
}

export interface TaskTimingRow {
  name: string;
  queues: string[];
  sent: number;
  received: number;
  started: number;
  succeeded: number;
  failed: number;
  retried: number;
  /** From task-succeeded's runtime. */
  runtime: Percentiles;
  /** task-sent (or task-received when producers send no task-sent) to task-started; tasks with an ETA are left out. */
  wait: Percentiles;
}

export interface EventWorker {
  hostname: string;
  alive: boolean;
  /** Last task event heard from it (epoch ms), null when none since the console started listening. */
  lastTaskEventMs: number | null;
}

export interface TaskTimingsResponse {
  broker: string;
  range: "1h" | "24h" | "7d";
  /** Subscribed to the broker's celeryev channel. */
  listening: boolean;
  listenError: string | null;
  /** Since when this console listens (epoch ms). */
  listeningSinceMs: number | null;
  lastTaskEventMs: number | null;
  /** Live workers (of the queue when one is asked for) and whether their task events arrive. */
  workers: EventWorker[];
  tasks: TaskTimingRow[];
}
