"use client";
import { ActionButton } from "@/components/actions/action-dialog";
import type { WorkerSummary } from "@/server/schemas/queues";
import { AUTOSCALE_MAX, AUTOSCALE_MIN, POOL_RESIZE_BY } from "@/components/actions/field-bounds";

export interface WorkerActionsProps {
  broker: string;
  hostname: string;
  worker: WorkerSummary;
}

// A worker's actions as plain buttons on its own page; each opens the shared dialog (a native <dialog> in the top
// layer, so no table cell or scroll box can clip or shift it). Only what the worker's pool supports is offered.
export function WorkerActions({ broker, hostname, worker }: WorkerActionsProps) {
  if (!worker.alive)
    return <p className="text-sm text-zinc-500">The worker is gone: nothing to control until it answers again.</p>;
  const target = { broker, hostname };
  // Celery grows, shrinks and autoscales only process pools (prefork); a threads or solo pool refuses pool_grow.
  const resizable = worker.pool === "prefork";
  return (
    <div className="flex flex-wrap gap-2" data-testid={`worker-actions-${hostname}`}>
      <ActionButton
        action="worker.add-consumer"
        target={target}
        label="Add consumer"
        fields={[{ name: "queue", label: "Queue", type: "text" }]}
      />
      {worker.queues.length > 0 && (
        <ActionButton
          action="worker.cancel-consumer"
          target={target}
          label="Cancel consumer"
          fields={[
            {
              name: "queue",
              label: "Queue",
              type: "select",
              options: worker.queues.map((q) => ({ value: q, label: q })),
              defaultValue: worker.queues[0] ?? "",
            },
          ]}
        />
      )}
      {resizable && (
        <ActionButton
          action="worker.pool-grow"
          target={target}
          label="Grow pool"
          fields={[{ name: "n", label: "By", type: "number", defaultValue: 1, ...POOL_RESIZE_BY }]}
        />
      )}
      {resizable && (
        <ActionButton
          action="worker.pool-shrink"
          target={target}
          label="Shrink pool"
          fields={[{ name: "n", label: "By", type: "number", defaultValue: 1, ...POOL_RESIZE_BY }]}
        />
      )}
      {resizable && (
        <ActionButton
          action="worker.autoscale"
          target={target}
          label="Autoscale range"
          fields={[
            { name: "max", label: "Max", type: "number", defaultValue: 8, ...AUTOSCALE_MAX },
            { name: "min", label: "Min", type: "number", defaultValue: 1, ...AUTOSCALE_MIN },
          ]}
        />
      )}
      <ActionButton
        action="worker.rate-limit"
        target={target}
        label="Rate limit a task"
        fields={[
          { name: "task", label: "Task name", type: "text" },
          { name: "rate", label: "Rate (e.g. 10/m)", type: "text", defaultValue: "10/m" },
        ]}
      />
      <ActionButton
        action="worker.revoke"
        target={target}
        label="Revoke a task"
        variant="danger"
        fields={[
          { name: "taskId", label: "Task id", type: "text" },
          { name: "terminate", label: "Terminate if running", type: "checkbox" },
        ]}
      />
      <ActionButton action="worker.enable-events" target={target} label="Task events on" />
      <ActionButton action="worker.disable-events" target={target} label="Task events off" />
      <ActionButton action="worker.shutdown" target={target} label="Shut down" variant="danger" />
    </div>
  );
}
