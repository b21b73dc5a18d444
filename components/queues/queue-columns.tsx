"use client";
import Link from "next/link";
import type { Column } from "@/components/ui/data-table";
import { Sparkline } from "@/components/ui/sparkline";
import { StatusBadge } from "@/components/ui/status-badge";
import { fmtDuration, fmtInt, fmtRate } from "@/lib/format";
import { statusRank } from "@/lib/status";
import { queueHref } from "@/lib/segments";
import { PausedBadge } from "./paused-note";
import { priorityChips, type QueueRow } from "./queue-rows";

const hot = "font-semibold text-red-700 dark:text-red-300";

export function PriorityChips({ byPriority }: { byPriority: Record<string, number> }) {
  const chips = priorityChips(byPriority);
  if (chips.length === 0) return <span className="text-zinc-500">—</span>;
  return (
    <span className="inline-flex gap-1">
      {chips.map((c) => (
        <span
          key={c.step}
          title={`priority ${c.step}`}
          className="rounded bg-zinc-200 px-1.5 text-xs tabular-nums dark:bg-zinc-800"
        >
          {c.step}: {fmtInt(c.count)}
        </span>
      ))}
    </span>
  );
}

export const queueColumns: Column<QueueRow>[] = [
  {
    key: "status",
    sortValue: (q) => statusRank(q.status),
    sortFirst: "asc",
    header: "Status",
    width: 100,
    cell: (q) => <StatusBadge status={q.status} testId={`status-${q.name}`} />,
  },
  {
    key: "name",
    sortValue: (q) => q.name,
    sortFirst: "asc",
    header: "Queue",
    width: 170,
    cell: (q) => (
      <span className="inline-flex flex-wrap items-center gap-1">
        <Link
          href={queueHref(q.broker, q.name)}
          title={q.name}
          className="font-medium text-blue-700 hover:underline dark:text-blue-300"
        >
          {q.name}
        </Link>
        {q.paused && <PausedBadge pause={q.paused} testId={`paused-${q.name}`} />}
      </span>
    ),
  },
  {
    key: "depth",
    sortValue: (q) => q.depth,
    header: "Depth",
    width: 70,
    align: "right",
    cell: (q) => <span data-testid={`queue-depth-${q.name}`}>{fmtInt(q.depth)}</span>,
  },
  {
    key: "prio",
    header: "By priority",
    width: 124,
    title: "kombu priority sub-queues",
    cell: (q) => <PriorityChips byPriority={q.byPriority} />,
  },
  {
    key: "unacked",
    sortValue: (q) => q.unacked,
    header: "Unacked",
    width: 72,
    align: "right",
    cell: (q) => fmtInt(q.unacked),
  },
  {
    key: "orphaned",
    sortValue: (q) => q.orphaned,
    header: "Orphaned",
    width: 76,
    align: "right",
    title: "Unacked messages no live worker holds (what requeue-orphans requeues)",
    cell: (q) => <span className={q.orphaned > 0 ? hot : ""}>{fmtInt(q.orphaned)}</span>,
  },
  {
    key: "consumers",
    sortValue: (q) => q.consumers.length,
    sortFirst: "asc",
    header: "Consumers",
    width: 92,
    align: "right",
    cell: (q) =>
      q.consumers.length === 0 && q.paused ? (
        <span title={`paused: ${q.paused.workers.join(", ") || "no worker"} told to stop`}>paused</span>
      ) : q.consumers.length === 0 ? (
        <span className={hot} title="no worker consumes this queue">
          none
        </span>
      ) : (
        <span title={q.consumers.join(", ")}>{q.consumers.length}</span>
      ),
  },
  {
    key: "in",
    sortValue: (q) => q.ratePerMinuteIn,
    header: "In",
    width: 72,
    align: "right",
    title: "messages in per minute",
    cell: (q) => fmtRate(q.ratePerMinuteIn),
  },
  {
    key: "out",
    sortValue: (q) => q.ratePerMinuteOut,
    header: "Out",
    width: 72,
    align: "right",
    title: "tasks workers accepted (started) per minute, from Celery's stats.total; not completions",
    cell: (q) => fmtRate(q.ratePerMinuteOut),
  },
  {
    key: "drain",
    sortValue: (q) => q.drainSeconds,
    header: "Drain",
    width: 60,
    align: "right",
    title: "time to drain at the current accept rate",
    cell: (q) => fmtDuration(q.drainSeconds),
  },
  {
    key: "oldest",
    sortValue: (q) => q.oldestSeenSeconds,
    header: "Oldest",
    width: 60,
    align: "right",
    title: "age of the oldest message seen",
    cell: (q) => fmtDuration(q.oldestSeenSeconds),
  },
  {
    key: "threshold",
    sortValue: (q) => q.threshold,
    header: "Threshold",
    width: 76,
    align: "right",
    cell: (q) => fmtInt(q.threshold),
  },
  {
    key: "trend",
    header: "Trend",
    width: 84,
    cell: (q) => (
      <Sparkline trail={q.spark} width={72} tone={q.status} label={`${q.name} depth trend, now ${fmtInt(q.depth)}`} />
    ),
  },
];
