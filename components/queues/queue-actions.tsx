"use client";
import { ActionButton } from "@/components/actions/action-dialog";
import type { QueueSummary } from "@/server/schemas/queues";

export interface QueueActionsProps { broker: string; queue: string; summary: QueueSummary }

export function QueueActions({ broker, queue, summary }: QueueActionsProps) {
  const target = { broker, queue };
  return (
    <div className="flex flex-wrap gap-2" aria-label="Queue actions" data-testid="queue-actions">
      <ActionButton
        action="queue.move" target={target} label="Move messages"
        fields={[
          { name: "to", label: "Target queue", type: "text", defaultValue: `${queue}.parked` },
          { name: "count", label: "How many (empty = all)", type: "number", nullable: true, min: 1 },
          { name: "taskName", label: "Only this task (optional)", type: "text" },
        ]}
      />
      <ActionButton action="queue.purge" target={target} label="Purge to quarantine" variant="danger" fields={[{ name: "retentionSeconds", label: "Keep quarantine for (s)", type: "number", defaultValue: 604800, min: 3600 }]} />
      <ActionButton action="queue.restore-quarantine" target={target} label="Restore quarantine" fields={[{ name: "quarantine", label: "Quarantine name (leakwatch.quarantine.…)", type: "text" }]} />
      {summary.orphaned > 0 && <ActionButton action="queue.requeue-orphans" target={target} label={`Requeue ${summary.orphaned} orphaned`} />}
    </div>
  );
}
