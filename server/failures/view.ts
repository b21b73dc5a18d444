import "server-only";
import { getConfig } from "@/server/config";
import type { TaskFailuresTable } from "@/server/db/schema";
import type { FailureDetail, FailureRow, FailuresQuery, FailuresResponse } from "@/server/schemas/failures";
import { backendStates } from "./pass";
import { failureGroups, getFailure, listFailures } from "./store";
import { NotFoundError } from "@/server/errors";
import { redactUrlsInText } from "@/server/celery/broker-url";
import { seenRefs, type SeenRef } from "./seen";

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
 * and queue only with result_extended = True (Celery 4.4+); otherwise the console needs the task's message as it
 * saw it in a queue before the task ran (server/failures/seen.ts). `seen`: whether it did (undefined: not asked, the
 * result backend's record alone is judged, as the action's first look does).
 */
export function retryBlocker(
  row: Pick<TaskFailuresTable, "task_name" | "args" | "kwargs" | "queue">,
  seen?: boolean,
): string | null {
  const missing: string[] = [];
  if (!row.task_name) missing.push("task name");
  if (row.args === null || row.kwargs === null) missing.push("arguments");
  if (!row.queue) missing.push("queue");
  if (missing.length === 0 || seen) return null;
  return `The result backend did not record the task's ${missing.join(", ")}: set result_extended = True in the workers' Celery configuration (it stores name, args, kwargs, worker and queue with each result). Without it the console can retry a task only from its message as it saw it in the queue before the task ran (it keeps the next message of each queue, messages held by workers with prefetch, and messages shown in the message browser, for 7 days), and it never saw this one: it went straight to a worker. Failures recorded before either cannot be retried from here.`;
}

export function toRow(r: TaskFailuresTable, showArguments: boolean, seen?: SeenRef): FailureRow {
  const fromResult = retryBlocker(r) === null;
  const row: FailureRow = {
    broker: r.broker,
    taskId: r.task_id,
    status: r.status as FailureRow["status"],
    // Without result_extended the message the console saw names the task and its queue.
    taskName: r.task_name ?? seen?.taskName ?? null,
    excType: r.exc_type,
    // A task's error text may quote a connection URL with its password (a failed connect): shown redacted.
    excMessage: r.exc_message === null ? null : redactUrlsInText(r.exc_message),
    worker: r.worker,
    queue: r.queue ?? seen?.queue ?? null,
    retries: r.retries,
    dateDone: r.date_done,
    firstSeen: r.first_seen,
    retriedAs: r.retried_as,
    retriedAt: r.retried_at,
    retryBlocker: retryBlocker(r, seen !== undefined),
    retrySource: fromResult
      ? { kind: "result_extended" }
      : seen
        ? { kind: "seen", queue: seen.queue, seenAt: seen.seenAt }
        : null,
  };
  if (showArguments) {
    row.args = parse<unknown[]>(r.args);
    row.kwargs = parse<Record<string, unknown>>(r.kwargs);
  }
  return row;
}

/** Which of these failures the console saw as messages in a queue, per broker (only where result_extended lacks). */
async function seenFor(rows: TaskFailuresTable[]): Promise<Map<string, SeenRef>> {
  const need = new Map<string, string[]>();
  for (const r of rows) if (retryBlocker(r) !== null) need.set(r.broker, [...(need.get(r.broker) ?? []), r.task_id]);
  const out = new Map<string, SeenRef>();
  for (const [broker, ids] of need)
    for (const [id, ref] of await seenRefs(broker, ids)) out.set(`${broker}\u0000${id}`, ref);
  return out;
}

/** `maySeeArguments`: the caller's role allows arguments (admin, as on the queue page); the setting must be on too. */
export async function failuresView(q: FailuresQuery, maySeeArguments: boolean): Promise<FailuresResponse> {
  const cfg = getConfig();
  const showArguments = cfg.showTaskArguments && maySeeArguments;
  const { limit: _limit, ...filters } = q;
  const [{ rows, total }, groups] = await Promise.all([listFailures(q), failureGroups(filters)]);
  const seen = await seenFor(rows);
  return {
    backends: backendStates(cfg.brokers),
    groups,
    failures: rows.map((r) => toRow(r, showArguments, seen.get(`${r.broker}\u0000${r.task_id}`))),
    total,
    showArguments,
  };
}

export async function failureDetail(broker: string, taskId: string, maySeeArguments: boolean): Promise<FailureDetail> {
  const r = await getFailure(broker, taskId);
  if (!r) throw new NotFoundError(`No failure of task ${taskId} on ${broker} is recorded.`);
  const showArguments = getConfig().showTaskArguments && maySeeArguments;
  const seen = await seenFor([r]);
  return {
    ...toRow(r, showArguments, seen.get(`${broker}\u0000${taskId}`)),
    excModule: r.exc_module,
    traceback: r.traceback === null ? null : redactUrlsInText(r.traceback),
  };
}
