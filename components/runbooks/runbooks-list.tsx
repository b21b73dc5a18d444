"use client";
import Link from "next/link";
import { CellText, DataTable, type Column } from "@/components/ui/data-table";
import { QueryFallback } from "@/components/ui/query-state";
import { fmtClock } from "@/lib/format";
import type { RunbookRun } from "@/server/schemas/runbooks";
import { useRunbooks } from "./use-runbook";

const started = (r: RunbookRun) => `${fmtClock(r.createdAt)} by ${r.createdBy}`;

function RunLink({ r, className = "" }: { r: RunbookRun; className?: string }) {
  return (
    <Link className={`hover:underline ${className}`} href={`/runbooks/${r.id}`}>
      {r.kind}
    </Link>
  );
}

const COLUMNS: Column<RunbookRun>[] = [
  { key: "kind", header: "Runbook", width: 120, cell: (r) => <RunLink r={r} /> },
  {
    key: "target",
    header: "Target",
    width: 320,
    cell: (r) => <CellText value={r.targetLabel} mono />,
  },
  { key: "status", header: "Status", width: 110, cell: (r) => r.status },
  { key: "verify", header: "Verify", width: 110, cell: (r) => r.verifyState ?? "—" },
  { key: "started", header: "Started", width: 200, cell: (r) => <span className="text-xs">{started(r)}</span> },
];

// A phone gets one card per run: target labels (container names, broker/queue) are too long for five columns.
function RunCard(r: RunbookRun) {
  return (
    <>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <RunLink r={r} className="font-medium" />
        <span className="text-xs">
          {r.status} · verify {r.verifyState ?? "—"}
        </span>
      </div>
      <div className="font-mono text-xs break-all">{r.targetLabel}</div>
      <div className="text-xs text-zinc-500">{started(r)}</div>
    </>
  );
}

// Every run, newest activity first.
export function RunbooksList() {
  const q = useRunbooks();
  if (!q.data) return <QueryFallback query={q} what="runbooks" />;
  if (q.data.runs.length === 0)
    return (
      <p className="text-sm text-zinc-500">
        No runbook has been started. Open one from an alert, or from a container or queue.
      </p>
    );
  return (
    <DataTable
      rows={q.data.runs}
      columns={COLUMNS}
      caption="Runbook runs, newest activity first"
      rowKey={(r) => r.id}
      testId="runbooks-table"
      card={RunCard}
    />
  );
}
