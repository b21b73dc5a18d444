"use client";
import Link from "next/link";
import { useState } from "react";
import { ActionButton } from "@/components/actions/action-dialog";
import { useFailureDetail } from "@/components/hooks/use-failures";
import { fmtAge } from "@/lib/format";
import { queueHref, workerHref } from "@/lib/segments";
import type { FailureRow } from "@/server/schemas/failures";

// One failure: a summary line that opens to the traceback (fetched on open), arguments when the console shows them,
// and either a retry or the exact reason it cannot be retried.

const STATUS_TONE: Record<FailureRow["status"], string> = {
  FAILURE: "bg-red-100 text-red-800 dark:bg-red-900/40 dark:text-red-200",
  RETRY: "bg-amber-100 text-amber-800 dark:bg-amber-900/40 dark:text-amber-200",
  REVOKED: "bg-zinc-200 text-zinc-800 dark:bg-zinc-800 dark:text-zinc-200",
};

export function FailureItem({ f, showArguments }: { f: FailureRow; showArguments: boolean }) {
  const [open, setOpen] = useState(false);
  const detail = useFailureDetail(f.broker, f.taskId, open);
  return (
    <li className="py-2" data-testid={`failure-${f.taskId}`}>
      <details onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
        <summary className="cursor-pointer text-sm break-words">
          <span className={`mr-2 rounded px-1.5 py-0.5 text-xs font-medium ${STATUS_TONE[f.status]}`}>{f.status}</span>
          <span className="font-medium">{f.taskName ?? "(task name not recorded)"}</span>{" "}
          <span className="font-mono text-xs">{f.excType ?? ""}</span>
          {f.excMessage ? `: ${f.excMessage}` : ""}{" "}
          <span className="text-xs text-zinc-500">{fmtAge(f.dateDone ?? f.firstSeen)}</span>
        </summary>
        <div className="mt-2 space-y-2 pl-2 text-sm">
          <dl className="grid grid-cols-[max-content_1fr] gap-x-3 gap-y-0.5 text-xs">
            <dt className="text-zinc-500">Task id</dt>
            <dd className="font-mono break-all">{f.taskId}</dd>
            <dt className="text-zinc-500">Broker</dt>
            <dd>{f.broker}</dd>
            <dt className="text-zinc-500">Queue</dt>
            <dd>
              {f.queue ? (
                <Link href={queueHref(f.broker, f.queue)} className="text-blue-700 underline dark:text-blue-300">
                  {f.queue}
                </Link>
              ) : (
                "not recorded"
              )}
            </dd>
            <dt className="text-zinc-500">Worker</dt>
            <dd className="break-all">
              {f.worker ? (
                <Link href={workerHref(f.broker, f.worker)} className="text-blue-700 underline dark:text-blue-300">
                  {f.worker}
                </Link>
              ) : (
                "not recorded"
              )}
            </dd>
            <dt className="text-zinc-500">Done</dt>
            <dd>{f.dateDone ? new Date(f.dateDone).toISOString() : "—"}</dd>
            {f.retries !== null && (
              <>
                <dt className="text-zinc-500">Celery retries</dt>
                <dd>{f.retries}</dd>
              </>
            )}
            {showArguments && (
              <>
                <dt className="text-zinc-500">Arguments</dt>
                <dd className="font-mono break-all">
                  {f.args === null || f.args === undefined
                    ? "not recorded"
                    : `${JSON.stringify(f.args)} ${JSON.stringify(f.kwargs ?? {})}`}
                </dd>
              </>
            )}
            {f.retriedAs && (
              <>
                <dt className="text-zinc-500">Retried as</dt>
                <dd className="font-mono break-all" data-testid="retried-as">
                  {f.retriedAs} ({fmtAge(f.retriedAt)})
                </dd>
              </>
            )}
          </dl>
          {open && (
            <pre
              className="max-h-96 overflow-auto rounded bg-zinc-100 p-2 text-xs whitespace-pre dark:bg-zinc-900"
              data-testid="traceback"
            >
              {detail.data
                ? (detail.data.traceback ?? "No traceback recorded.")
                : detail.error
                  ? detail.error.message
                  : "Loading…"}
            </pre>
          )}
          {f.status === "RETRY" ? (
            <p className="text-xs text-zinc-500">
              Celery retries this task by itself; it is not offered for retry here.
            </p>
          ) : f.retryBlocker ? (
            <p className="text-xs text-amber-800 dark:text-amber-200" data-testid="retry-blocker">
              Cannot retry: {f.retryBlocker}
            </p>
          ) : (
            <div className="flex flex-wrap items-center gap-2">
              <ActionButton
                action="task.retry"
                target={{ broker: f.broker, taskIds: [f.taskId] }}
                label="Retry"
                testId={`retry-${f.taskId}`}
              />
              {f.retrySource?.kind === "seen" && (
                <span className="text-xs text-zinc-500" data-testid="retry-source">
                  from the message seen in queue {f.retrySource.queue} at {new Date(f.retrySource.seenAt).toISOString()}{" "}
                  (the result backend did not record it)
                </span>
              )}
            </div>
          )}
        </div>
      </details>
    </li>
  );
}
