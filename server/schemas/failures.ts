// What the Failures page and API show: failed, retried and revoked Celery tasks read from a result backend.
import { z } from "zod";

const failureStatuses = ["FAILURE", "RETRY", "REVOKED"] as const;

/** GET /api/failures query: every filter optional, exact matches; bounded so a URL cannot ask for everything. */
export const failuresQuery = z.object({
  broker: z.string().min(1).max(64).optional(),
  task: z.string().min(1).max(255).optional(),
  exc: z.string().min(1).max(255).optional(),
  queue: z.string().min(1).max(1024).optional(),
  worker: z.string().min(1).max(255).optional(),
  status: z.enum(failureStatuses).optional(),
  /** Only failures first seen within this many hours (default: all kept). */
  sinceHours: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type FailuresQuery = z.infer<typeof failuresQuery>;

/** Why a failure cannot be re-published, or null when it can. */
export type RetryBlocker = string | null;

export interface FailureRow {
  broker: string;
  taskId: string;
  status: (typeof failureStatuses)[number];
  taskName: string | null;
  excType: string | null;
  excMessage: string | null;
  worker: string | null;
  queue: string | null;
  retries: number | null;
  dateDone: number | null;
  firstSeen: number;
  /** Present only when the showTaskArguments setting is on (null: the backend did not record them). */
  args?: unknown[] | null;
  kwargs?: Record<string, unknown> | null;
  retriedAs: string | null;
  retriedAt: number | null;
  /** What is missing for a retry (e.g. the backend ran without result_extended), or null. */
  retryBlocker: RetryBlocker;
  /**
   * Where a retry takes the task's name, arguments and queue from: the backend's result_extended record, or the
   * message the console saw in a queue before the task ran (null when neither exists).
   */
  retrySource: { kind: "result_extended" } | { kind: "seen"; queue: string; seenAt: number } | null;
}

export interface FailureDetail extends FailureRow {
  excModule: string | null;
  traceback: string | null;
}

export interface FailureGroup {
  broker: string;
  taskName: string | null;
  excType: string | null;
  count: number;
  lastSeen: number;
  /** Failures per hour over the last 24 hours, oldest first (24 numbers). */
  hourly: number[];
}

export interface BackendState {
  broker: string;
  configured: boolean;
  /** The backend as host:port/db, never with its password. */
  where: string | null;
  ok: boolean | null;
  error: string | null;
  lastPassAt: number | null;
  /** Keys read since the walk last started over, and whether a full walk has ended yet. */
  keysRead: number;
  walksCompleted: number;
}

export interface FailuresResponse {
  backends: BackendState[];
  groups: FailureGroup[];
  failures: FailureRow[];
  total: number;
  showArguments: boolean;
}
