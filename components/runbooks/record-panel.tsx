"use client";
import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useCanAct } from "@/components/shell/session-context";
import { CopyButton } from "@/components/ui/middle-truncate";
import { sendJson } from "@/lib/api";
import {
  describeEntry,
  entryTarget,
  type ActionRecord,
  type RunbookEntry,
  type RunbookRun,
} from "@/server/schemas/runbooks";
import { Time } from "@/components/ui/time";

// Record: every action with its audit id, the timeline, and the report (Markdown download, print page).
export function RecordPanel({ run, actions }: { run: RunbookRun; actions: ActionRecord[] }) {
  const runId = run.id;
  return (
    <div className="space-y-3 text-sm">
      <div className="flex flex-wrap gap-2">
        <a
          href={`/api/runbooks/${runId}/report`}
          download
          className="rounded border border-blue-600 bg-blue-600 px-3 py-1.5 text-white"
          data-testid="report-download"
        >
          Download report (Markdown)
        </a>
        <Link
          href={`/runbooks/${runId}/report`}
          className="rounded border border-zinc-300 px-3 py-1.5 dark:border-zinc-700"
          data-testid="report-print"
        >
          Print-friendly report
        </Link>
        <CloseRun run={run} />
      </div>
      <ActionsTable actions={actions} />
    </div>
  );
}

export function ActionsTable({ actions }: { actions: ActionRecord[] }) {
  if (actions.length === 0) return <p className="text-xs text-zinc-500">No action recorded in this run yet.</p>;
  return (
    // Fixed columns that wrap anywhere: a 36-character audit id and a verify finding once pushed a phone's page
    // 110 px sideways. On a phone the audit id goes under the action instead of a column of its own.
    <table className="w-full table-fixed text-left text-xs [overflow-wrap:anywhere]" data-testid="run-actions">
      <thead className="text-zinc-500">
        <tr>
          <th className="w-[18%] sm:w-[14%]">When</th>
          <th className="w-[20%] sm:w-[13%]">Who</th>
          <th className="w-[30%] sm:w-[23%]">Action</th>
          <th>Outcome</th>
          <th className="hidden sm:table-cell sm:w-[21%]">Audit id</th>
        </tr>
      </thead>
      <tbody>
        {actions.map((a) => (
          <tr
            key={a.auditId}
            data-testid="run-action"
            data-audit-id={a.auditId}
            data-action={a.action}
            className="border-t border-zinc-200 dark:border-zinc-800"
          >
            <td>
              <Time ts={a.at} />
            </td>
            <td>{a.by}</td>
            <td>
              {a.label && (
                <span className="block" data-testid="run-action-label">
                  {a.label}
                </span>
              )}
              <span className="font-mono">{a.action}</span>
              <span className="block font-mono text-zinc-500 sm:hidden" title={a.auditId}>
                audit {a.auditId.slice(0, 8)}…
              </span>
            </td>
            <td
              className={
                a.status === "succeeded"
                  ? "text-emerald-600"
                  : a.status === "failed"
                    ? "text-red-600"
                    : "text-amber-600"
              }
            >
              {a.status}
              {a.finding ? ` — ${a.finding}` : ""}
            </td>
            <td className="hidden font-mono sm:table-cell">{a.auditId}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The run's story, newest first; a container is named, its full id is on hover and one click from the clipboard. */
export function Timeline({ entries, run }: { entries: RunbookEntry[]; run: RunbookRun }) {
  return (
    <ol className="space-y-1 text-xs" data-testid="run-timeline">
      {[...entries].reverse().map((e) => {
        const id = entryTarget(e, run)?.id;
        return (
          <li key={e.id} data-kind={e.kind} title={id ?? undefined}>
            <Time ts={e.ts} className="text-zinc-500" /> <span className="font-medium">{e.actor}</span>{" "}
            {describeEntry(e, run)}
            {id && (
              <>
                {" "}
                <CopyButton value={id} label="Copy id" />
              </>
            )}
          </li>
        );
      })}
    </ol>
  );
}

/** Closing ends the run: the next alert on this target starts a new one. Reopening is allowed. */
function CloseRun({ run }: { run: RunbookRun }) {
  const canAct = useCanAct();
  const qc = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  if (!canAct) return null;
  const next = run.status === "open" ? "closed" : "open";
  async function toggle() {
    try {
      await sendJson(`/api/runbooks/${run.id}`, { status: next }, "PATCH");
      await qc.invalidateQueries({ queryKey: ["runbook", run.id] });
    } catch (e) {
      setError((e as Error).message);
    }
  }
  return (
    <>
      <button
        type="button"
        onClick={() => void toggle()}
        className="rounded border border-zinc-300 px-3 py-1.5 dark:border-zinc-700"
        data-testid="run-close"
      >
        {next === "closed" ? "Close the run" : "Reopen the run"}
      </button>
      {error && (
        <span role="alert" className="text-xs text-red-600">
          {error}
        </span>
      )}
    </>
  );
}
