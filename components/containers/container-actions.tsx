"use client";
import Link from "next/link";
import { ActionButton } from "@/components/actions/action-dialog";
import { GRACE_SECONDS, PIDS_LIMIT, TIMEBOX_SECONDS } from "@/components/actions/field-bounds";
import { ALLOWED_KILL_SIGNALS } from "@/server/schemas/container-actions";
import type { CgroupDetail, ContainerSummary } from "@/server/schemas/containers";

export interface ContainerActionsProps {
  host: string;
  id: string;
  container: ContainerSummary;
  cgroup: CgroupDetail | null;
}

// Every button opens the shared dialog: preview from the server, reason, typed confirmation, verified result.
export function ContainerActions({ host, container }: ContainerActionsProps) {
  const target = { host, id: container.name };
  const suggested = container.pids.limit
    ? container.pids.limit * 2
    : container.pids.current
      ? Math.max(1024, container.pids.current * 2)
      : 4096;
  return (
    <div className="flex flex-wrap gap-2" aria-label="Container actions" data-testid="container-actions">
      <Link
        href={`/runbooks/new?kind=thread-leak&host=${encodeURIComponent(host)}&id=${encodeURIComponent(container.id)}`}
        className="rounded border border-blue-600/60 px-3 py-1.5 text-sm text-blue-700 dark:text-blue-300"
        data-testid="open-runbook"
      >
        Thread-leak runbook
      </Link>
      <ActionButton
        action="container.set-pids-limit"
        target={target}
        label="Raise pids limit (time-boxed)"
        testId="action-raise-timeboxed"
        fields={[
          { name: "limit", label: "New pids limit", type: "number", defaultValue: suggested, ...PIDS_LIMIT },
          {
            name: "revertAfterSeconds",
            label: "Revert after, unless confirmed",
            type: "duration",
            defaultValue: 900,
            ...TIMEBOX_SECONDS,
          },
        ]}
      />
      <ActionButton
        action="container.set-pids-limit"
        target={target}
        label="Set pids limit"
        testId="action-set-limit"
        fields={[
          {
            name: "limit",
            label: "New pids limit (empty = unlimited)",
            type: "number",
            nullable: true,
            defaultValue: suggested,
            ...PIDS_LIMIT,
          },
        ]}
      />
      {/* Keeping a time-boxed limit is offered in the pending-revert banner, only while one is pending. */}
      {(container.pids.limitSource === "ancestor" || container.pids.limitSource === "systemd-default") && (
        <>
          <ActionButton
            action="cgroup.set-pids-max"
            target={target}
            label={`Lift inherited cap at ${container.pids.limitPath ?? "its cgroup"} (time-boxed)`}
            testId="action-lift-inherited"
            fields={[
              {
                name: "value",
                label: 'New pids.max ("max" = no cap at this level)',
                type: "text",
                defaultValue: "max",
              },
              {
                name: "timeboxSeconds",
                label: "Revert after, unless confirmed",
                type: "duration",
                defaultValue: 900,
                ...TIMEBOX_SECONDS,
              },
            ]}
          />
          <ActionButton action="cgroup.confirm-pids-max" target={target} label="Keep lifted cap" />
        </>
      )}
      <ActionButton
        action="container.restart"
        target={target}
        label="Restart"
        variant="danger"
        fields={[
          { name: "graceSeconds", label: "Grace before SIGKILL", type: "duration", defaultValue: 10, ...GRACE_SECONDS },
        ]}
      />
      <ActionButton
        action="container.signal"
        target={target}
        label="Send signal"
        fields={[
          {
            name: "signal",
            label: "Signal",
            type: "select",
            defaultValue: "SIGQUIT",
            options: ALLOWED_KILL_SIGNALS.map((s) => ({ value: s, label: s })),
          },
        ]}
      />
      <ActionButton
        action="container.stop"
        target={target}
        label="Stop"
        variant="danger"
        fields={[
          { name: "graceSeconds", label: "Grace before SIGKILL", type: "duration", defaultValue: 10, ...GRACE_SECONDS },
        ]}
      />
    </div>
  );
}
