"use client";
import Link from "next/link";
import { CardField, CardFields } from "@/components/ui/data-table";
import { Sparkline } from "@/components/ui/sparkline";
import { StatusBadge } from "@/components/ui/status-badge";
import { fmtDuration, fmtInt, fmtRate } from "@/lib/format";
import { queueHref } from "@/lib/segments";
import { PausedBadge } from "./paused-note";
import { PriorityChips } from "./queue-columns";
import type { QueueRow } from "./queue-rows";

const hot = "font-semibold text-red-700 dark:text-red-300";

// A queue on a phone: the queues table's columns as labelled values, Trend included. No data-testids inside: the
// desktop table's cells own `queue-depth-<name>` and `status-<name>`.
export function QueueCard({ q }: { q: QueueRow }) {
  return (
    <>
      <div className="flex items-center justify-between gap-2">
        <Link
          href={queueHref(q.broker, q.name)}
          title={q.name}
          className="min-w-0 truncate font-medium text-blue-700 hover:underline dark:text-blue-300"
        >
          {q.name}
        </Link>
        <StatusBadge status={q.status} />
      </div>
      {q.paused && <PausedBadge pause={q.paused} />}
      <CardFields columns={4}>
        <CardField label="Depth">{fmtInt(q.depth)}</CardField>
        <CardField label="Unacked">{fmtInt(q.unacked)}</CardField>
        <CardField label="Orphaned">
          <span className={q.orphaned > 0 ? hot : ""}>{fmtInt(q.orphaned)}</span>
        </CardField>
        <CardField label="Consumers">
          {q.consumers.length === 0 ? q.paused ? "paused" : <span className={hot}>none</span> : q.consumers.length}
        </CardField>
        <CardField label="In">{fmtRate(q.ratePerMinuteIn)}</CardField>
        <CardField label="Out">{fmtRate(q.ratePerMinuteOut)}</CardField>
        <CardField label="Drain">{fmtDuration(q.drainSeconds)}</CardField>
        <CardField label="Oldest">{fmtDuration(q.oldestSeenSeconds)}</CardField>
        <CardField label="Threshold">{fmtInt(q.threshold)}</CardField>
        <CardField label="By priority" span={2}>
          <PriorityChips byPriority={q.byPriority} />
        </CardField>
        <CardField label="Trend">
          <Sparkline
            trail={q.spark}
            width={72}
            tone={q.status}
            label={`${q.name} depth trend, now ${fmtInt(q.depth)}`}
          />
        </CardField>
      </CardFields>
    </>
  );
}
