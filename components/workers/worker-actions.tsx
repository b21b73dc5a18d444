"use client";
import { ActionButton } from "@/components/actions/action-dialog";
import type { WorkerSummary } from "@/server/schemas/queues";

export interface WorkerActionsProps { broker: string; hostname: string; worker: WorkerSummary }

// Compact: a select of the worker actions, each opening the shared dialog.
export function WorkerActions({ broker, hostname, worker }: WorkerActionsProps) {
  if (!worker.alive) return null;
  const target = { broker, hostname };
  return (
    <details className="relative text-sm" data-testid={`worker-actions-${hostname}`}>
      <summary className="cursor-pointer rounded border border-zinc-300 px-2 py-1 dark:border-zinc-700">Actions</summary>
      <div className="absolute right-0 z-10 mt-1 flex w-56 flex-col gap-1 rounded border border-zinc-300 bg-white p-2 shadow dark:border-zinc-700 dark:bg-zinc-900">
        <ActionButton action="worker.add-consumer" target={target} label="Add consumer" fields={[{ name: "queue", label: "Queue", type: "text" }]} />
        <ActionButton action="worker.cancel-consumer" target={target} label="Cancel consumer" fields={[{ name: "queue", label: "Queue", type: "select", options: worker.queues.map((q) => ({ value: q, label: q })), defaultValue: worker.queues[0] ?? "" }]} />
        <ActionButton action="worker.pool-grow" target={target} label="Grow pool" fields={[{ name: "n", label: "By", type: "number", defaultValue: 1, min: 1, max: 64 }]} />
        <ActionButton action="worker.pool-shrink" target={target} label="Shrink pool" fields={[{ name: "n", label: "By", type: "number", defaultValue: 1, min: 1, max: 64 }]} />
        <ActionButton action="worker.autoscale" target={target} label="Autoscale range" fields={[{ name: "max", label: "Max", type: "number", defaultValue: 8, min: 1 }, { name: "min", label: "Min", type: "number", defaultValue: 1, min: 0 }]} />
        <ActionButton action="worker.rate-limit" target={target} label="Rate limit a task" fields={[{ name: "task", label: "Task name", type: "text" }, { name: "rate", label: "Rate (e.g. 10/m)", type: "text", defaultValue: "10/m" }]} />
        <ActionButton action="worker.revoke" target={target} label="Revoke a task" variant="danger" fields={[{ name: "taskId", label: "Task id", type: "text" }, { name: "terminate", label: "Terminate if running", type: "checkbox" }]} />
        <ActionButton action="worker.shutdown" target={target} label="Shut down" variant="danger" />
      </div>
    </details>
  );
}
