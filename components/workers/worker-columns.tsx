"use client";
import type { Column } from "@/components/ui/data-table";
import { fmtAge, fmtInt } from "@/lib/format";
import type { WorkerSummary } from "@/server/schemas/queues";
import Link from "next/link";
import { workerHref } from "@/lib/segments";

/** Worker columns, shared by the workers page and a queue's consumers panel. */
export function workerColumns({ withActions }: { withActions: boolean }): Column<WorkerSummary>[] {
  const cols: Column<WorkerSummary>[] = [
    {
      key: "hostname",
      header: "Hostname",
      width: 220,
      cell: (w) => (
        <Link
          href={workerHref(w.broker, w.hostname)}
          className="font-medium text-blue-700 hover:underline dark:text-blue-300"
          title={w.hostname}
        >
          {w.hostname}
        </Link>
      ),
    },
    { key: "broker", header: "Broker", width: 80, cell: (w) => w.broker },
    {
      key: "alive",
      header: "Alive",
      width: 75,
      cell: (w) =>
        w.alive ? (
          <span className="text-emerald-700 dark:text-emerald-300">● alive</span>
        ) : (
          <span className="font-semibold text-red-700 dark:text-red-300">✕ gone</span>
        ),
    },
    { key: "seen", header: "Last seen", width: 90, align: "right", cell: (w) => fmtAge(w.lastSeen) },
    {
      // Pool, concurrency, processes and autoscale in one column: four narrow columns pushed the table past a
      // 1440 px screen (issue 16 item 1). The worker's page lists them apart.
      key: "pool",
      header: "Pool",
      width: 170,
      title: "pool · concurrency (processes); autoscale max–min",
      cell: (w) => (
        <span
          title={`pool ${w.pool ?? "unknown"}, concurrency ${fmtInt(w.concurrency)}, ${w.processes.length} processes${w.autoscale ? `, autoscale max ${w.autoscale[0]} min ${w.autoscale[1]}` : ""}`}
        >
          {w.pool ?? "—"} · {fmtInt(w.concurrency)}
          {w.processes.length > 0 && w.processes.length !== w.concurrency ? ` (${w.processes.length})` : ""}
          {w.autoscale ? ` · auto ${w.autoscale[0]}–${w.autoscale[1]}` : ""}
        </span>
      ),
    },
    {
      key: "queues",
      header: "Queues",
      width: 220,
      cell: (w) => (
        <span className="block truncate" title={w.queues.join(", ")}>
          {w.queues.join(", ") || "—"}
        </span>
      ),
    },
    {
      key: "tasks",
      header: <abbr title="active / reserved / scheduled tasks">Tasks a / r / s</abbr>,
      title: "active / reserved / scheduled",
      width: 130,
      align: "right",
      cell: (w) => (
        <span title={`${fmtInt(w.active)} active, ${fmtInt(w.reserved)} reserved, ${fmtInt(w.scheduled)} scheduled`}>
          {fmtInt(w.active)} / {fmtInt(w.reserved)} / {fmtInt(w.scheduled)}
        </span>
      ),
    },
    { key: "via", header: "Via", width: 70, cell: (w) => w.via },
  ];
  if (withActions) {
    // Actions live on the worker's own page (menus inside a scrolled table cell get clipped); the second column
    // leads there so it is on screen at any width.
    cols.splice(1, 0, {
      key: "actions",
      header: <span className="sr-only">Actions</span>,
      title: "Actions",
      width: 85,
      cell: (w) => (
        <Link
          href={workerHref(w.broker, w.hostname)}
          className="rounded border border-zinc-300 px-2 py-0.5 text-xs dark:border-zinc-700"
          data-testid={`worker-open-${w.hostname}`}
        >
          Actions
        </Link>
      ),
    });
  }
  return cols;
}
