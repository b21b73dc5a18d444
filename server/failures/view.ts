import "server-only";
import { getConfig } from "@/server/config";
import type { TaskFailuresTable } from "@/server/db/schema";
import type { FailureDetail, FailureRow, FailuresQuery, FailuresResponse } from "@/server/schemas/failures";
import { backendStates } from "./pass";
import { failureGroups, getFailure, listFailures } from "./store";
import { NotFoundError } from "@/server/errors";
import { redactUrlsInText } from "@/server/celery/broker-url";

// Store rows shaped for the page and the API. Arguments leave the server only under the showTaskArguments setting.

const parse = <T>(s: string | null): T | null => {
  if (s === null) return null;
  try {
    return JSON.parse(s) as T;
  } catch {
    return null;
  }
};

/**
 * What a retry lacks, in words an operator can act on. Celery's result backend records the task's name, arguments
 * and queue only with result_extended = True (Celery 4.4+); without them the console cannot rebuild the message.
 */
export function retryBlocker(row: Pick<TaskFailuresTable, "task_name" | "args" | "kwargs" | "queue">): string | null {
  const missing: string[] = [];
  if (!row.task_name) missing.push("task name");
  if (row.args === null || row.kwargs === null) missing.push("arguments");
  if (!row.queue) missing.push("queue");
  if (missing.length === 0) return null;
  return `The result backend did not record the task's ${missing.join(", ")}: set result_extended = True in the workers' Celery configuration (it stores name, args, kwargs, worker and queue with each result); failures recorded before that cannot be retried from here.`;
}

export function toRow(r: TaskFailuresTable, showArguments: boolean): FailureRow {
  const row: FailureRow = {
    broker: r.broker,
    taskId: r.task_id,
    status: r.status as FailureRow["status"],
    taskName: r.task_name,
    excType: r.exc_type,
    // A task's error text may quote a connection URL with its password (a failed connect): shown redacted.
    excMessage: r.exc_message === null ? null : redactUrlsInText(r.exc_message),
    worker: r.worker,
    queue: r.queue,
    retries: r.retries,
    dateDone: r.date_done,
    firstSeen: r.first_seen,
    retriedAs: r.retried_as,
    retriedAt: r.retried_at,
    retryBlocker: retryBlocker(r),
  };
  if (showArguments) {
    row.args = parse<unknown[]>(r.args);
    row.kwargs = parse<Record<string, unknown>>(r.kwargs);
  }
  return row;
}

/** `maySeeArguments`: the caller's role allows arguments (admin, as on the queue page); the setting must be on too. */
export async function failuresView(q: FailuresQuery, maySeeArguments: boolean): Promise<FailuresResponse> {
  const cfg = getConfig();
  const showArguments = cfg.showTaskArguments && maySeeArguments;
  const { limit: _limit, ...filters } = q;
  const [{ rows, total }, groups] = await Promise.all([listFailures(q), failureGroups(filters)]);
  return {
    backends: backendStates(cfg.brokers),
    groups,
    failures: rows.map((r) => toRow(r, showArguments)),
    total,
    showArguments,
  };
}

export async function failureDetail(broker: string, taskId: string, maySeeArguments: boolean): Promise<FailureDetail> {
  const r = await getFailure(broker, taskId);
  if (!r) throw new NotFoundError(`No failure of task ${taskId} on ${broker} is recorded.`);
  const showArguments = getConfig().showTaskArguments && maySeeArguments;
  return {
    ...toRow(r, showArguments),
    excModule: r.exc_module,
    traceback: r.traceback === null ? null : redactUrlsInText(r.traceback),
  };
}
