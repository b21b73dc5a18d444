"use client";
import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useCanAct } from "@/components/shell/session-context";
import { CellText, DataTable, type Column } from "@/components/ui/data-table";
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

const OUTCOME_TONE: Record<string, string> = { succeeded: "text-emerald-600", failed: "text-red-600" };

const outcome = (a: ActionRecord) => (
  <span className={OUTCOME_TONE[a.status] ?? "text-amber-600"}>
    {a.status}
    {a.finding ? ` — ${a.finding}` : ""}
  </span>
);

const ACTION_COLUMNS: Column<ActionRecord>[] = [
  { key: "at", header: "When", width: 150, cell: (a) => <Time ts={a.at} /> },
  { key: "by", header: "Who", width: 100, cell: (a) => a.by },
  {
    key: "action",
    header: "Action",
    width: 190,
    cell: (a) => (
      <>
        {a.label && (
          <span className="block" data-testid="run-action-label">
            {a.label}
          </span>
        )}
        <span className="font-mono">{a.action}</span>
      </>
    ),
  },
  { key: "outcome", header: "Outcome", width: 260, cell: outcome },
  {
    key: "audit",
    header: "Audit id",
    width: 220,
    cell: (a) => <CellText value={a.auditId} mono />,
  },
];

export function ActionsTable({ actions }: { actions: ActionRecord[] }) {
  if (actions.length === 0) return <p className="text-xs text-zinc-500">No action recorded in this run yet.</p>;
  return (
    <DataTable
      rows={actions}
      columns={ACTION_COLUMNS}
      caption="Actions taken in this run"
      rowKey={(a) => a.auditId}
      testId="run-actions"
      rowTestId={() => "run-action"}
      cardTestId={() => "run-action"}
      rowData={(a) => ({ "audit-id": a.auditId, action: a.action })}
    />
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
