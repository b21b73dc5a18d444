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
      width: 230,
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
    { key: "broker", header: "Broker", width: 90, cell: (w) => w.broker },
    {
      key: "alive",
      header: "Alive",
      width: 80,
      cell: (w) =>
        w.alive ? (
          <span className="text-emerald-700 dark:text-emerald-300">● alive</span>
        ) : (
          <span className="font-semibold text-red-700 dark:text-red-300">✕ gone</span>
        ),
    },
    { key: "seen", header: "Last seen", width: 100, align: "right", cell: (w) => fmtAge(w.lastSeen) },
    { key: "pool", header: "Pool", width: 80, cell: (w) => w.pool ?? "—" },
    { key: "concurrency", header: "Concurrency", width: 100, align: "right", cell: (w) => fmtInt(w.concurrency) },
    {
      key: "procs",
      header: "Processes",
      width: 90,
      align: "right",
      cell: (w) => <span title={w.processes.join(", ")}>{w.processes.length}</span>,
    },
    {
      key: "autoscale",
      header: "Autoscale",
      width: 90,
      align: "right",
      title: "max,min",
      cell: (w) => (w.autoscale ? `${w.autoscale[0]},${w.autoscale[1]}` : "—"),
    },
    {
      key: "queues",
      header: "Queues",
      width: 220,
      cell: (w) => <span title={w.queues.join(", ")}>{w.queues.join(", ") || "—"}</span>,
    },
    { key: "active", header: "Active", width: 70, align: "right", cell: (w) => fmtInt(w.active) },
    { key: "reserved", header: "Reserved", width: 80, align: "right", cell: (w) => fmtInt(w.reserved) },
    { key: "scheduled", header: "Scheduled", width: 85, align: "right", cell: (w) => fmtInt(w.scheduled) },
    { key: "via", header: "Via", width: 85, cell: (w) => w.via },
  ];
  if (withActions) {
    // Actions live on the worker's own page (menus inside a scrolled table cell get clipped); the second column
    // leads there so it is on screen at any width.
    cols.splice(1, 0, {
      key: "actions",
      header: <span className="sr-only">Actions</span>,
      title: "Actions",
      width: 90,
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
