"use client";
import Link from "next/link";
import { ActionButton } from "@/components/actions/action-dialog";
import { MOVE_COUNT, RETENTION_SECONDS } from "@/components/actions/field-bounds";
import { QUARANTINE_RETENTION_DEFAULT_SECONDS } from "@/server/schemas/queue-actions";
import type { QueueSummary } from "@/server/schemas/queues";

export interface QueueActionsProps {
  broker: string;
  queue: string;
  summary: QueueSummary;
}

export function QueueActions({ broker, queue, summary }: QueueActionsProps) {
  const target = { broker, queue };
  return (
    <div className="flex flex-wrap gap-2" aria-label="Queue actions" data-testid="queue-actions">
      <Link
        href={`/runbooks/new?kind=queue-backlog&broker=${encodeURIComponent(broker)}&queue=${encodeURIComponent(queue)}`}
        className="rounded border border-blue-600/60 px-3 py-1.5 text-sm text-blue-700 dark:text-blue-300"
        data-testid="open-runbook"
      >
        Queue-backlog runbook
      </Link>
      <ActionButton
        action="queue.move"
        target={target}
        label="Move messages"
        fields={[
          { name: "to", label: "Target queue", type: "text", defaultValue: `${queue}.parked` },
          { name: "count", label: "How many (empty = all)", type: "number", nullable: true, ...MOVE_COUNT },
          { name: "taskName", label: "Only this task (optional)", type: "text" },
        ]}
      />
      {/* Restoring is offered per quarantine, in the Quarantines list below. */}
      <ActionButton
        action="queue.purge"
        target={target}
        label="Purge to quarantine"
        variant="danger"
        fields={[
          {
            name: "retentionSeconds",
            label: "Keep quarantine for",
            type: "duration",
            defaultValue: QUARANTINE_RETENTION_DEFAULT_SECONDS,
            ...RETENTION_SECONDS,
          },
        ]}
      />
      {!summary.paused && <ActionButton action="queue.pause" target={target} label="Pause" testId="pause-queue" />}
      {summary.orphaned > 0 && (
        <ActionButton action="queue.requeue-orphans" target={target} label={`Requeue ${summary.orphaned} orphaned`} />
      )}
    </div>
  );
}
