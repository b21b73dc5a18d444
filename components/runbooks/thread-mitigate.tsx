"use client";
import { useContainers } from "@/components/hooks/use-containers";
import type { ThreadLeakContext } from "@/server/schemas/runbooks";
import { ActionButton } from "@/components/actions/action-dialog";
import {
  GRACE_SECONDS,
  MOVE_COUNT,
  PIDS_LIMIT,
  POOL_RESIZE_BY,
  TIMEBOX_SECONDS,
} from "@/components/actions/field-bounds";
import { useRecordAction } from "./use-record-action";

function Option({ title, consequence, children }: { title: string; consequence: string; children: React.ReactNode }) {
  return (
    <li className="rounded border border-zinc-200 p-2 dark:border-zinc-800">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <span className="font-medium">{title}</span>
        <span className="flex flex-wrap gap-2">{children}</span>
      </div>
      <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">{consequence}</p>
    </li>
  );
}

// Mitigate: each option states its consequence and runs through the action dialog (preview, reason, audit);
// the audit id comes back into this run.
export function ThreadMitigate({
  runId,
  host,
  id,
  ctx,
}: {
  runId: string;
  host: string;
  id: string;
  ctx: ThreadLeakContext | undefined;
}) {
  const { onDone, error } = useRecordAction(runId);
  const fleet = useContainers();
  const c = fleet.data?.containers.find((x) => x.host === host && x.id === id);
  const target = { host, id };
  const base = Math.max(c?.pids.effectiveLimit ?? 0, c?.pids.limit ?? 0, c?.pids.current ?? 0, 64);
  const suggested = base * 2;
  const inherited = ctx?.advice?.inherited ?? false;
  // A cgroup level Docker does not manage caps it (a parent cgroup, a systemd scope or slice default): one write lifts it.
  const liftable =
    !!ctx?.pids?.limitPath && (ctx.pids.limitSource === "ancestor" || ctx.pids.limitSource === "systemd-default");
  return (
    <div className="space-y-2 text-sm">
      <ul className="space-y-2">
        <Option
          title="Raise the pids limit for a while"
          consequence={`Buys time: the container may create more threads until the revert (default 15 min) unless you keep it. The leak goes on; memory per thread goes on too.${inherited ? " The cap is inherited: a container limit above it changes nothing until the host-side cap is lifted (see Diagnose)." : ""}`}
        >
          <ActionButton
            action="container.set-pids-limit"
            target={target}
            label="Time-boxed raise…"
            testId="mitigate-raise"
            onDone={onDone}
            fields={[
              {
                name: "limit",
                label: "New pids limit (empty = unlimited)",
                type: "number",
                nullable: true,
                defaultValue: suggested,
                ...PIDS_LIMIT,
              },
              {
                name: "revertAfterSeconds",
                label: "Revert after",
                type: "duration",
                defaultValue: 900,
                ...TIMEBOX_SECONDS,
              },
            ]}
          />
          <ActionButton
            action="container.confirm-pids-limit"
            target={target}
            label="Keep the raised limit"
            testId="mitigate-keep"
            onDone={onDone}
          />
        </Option>
        {liftable && (
          <Option
            title={`Lift the inherited cap at ${ctx!.pids!.limitPath} for a while`}
            consequence={`Writes pids.max of ${ctx!.pids!.limitPath}, the cgroup level that caps this container at ${ctx!.pids!.effectiveLimit} (${ctx!.pids!.limitSource}), and puts the old value back when the time box runs out unless you keep it. The preview names every other container under that level. Not persistent: a restart or whatever created the level brings the cap back, so the host-side fix (see Diagnose) is still needed.`}
          >
            {ctx!.cgroupWrite.available ? (
              <>
                <ActionButton
                  action="cgroup.set-pids-max"
                  target={target}
                  label="Lift the inherited cap…"
                  testId="mitigate-lift"
                  onDone={onDone}
                  fields={[
                    {
                      name: "value",
                      label: 'New pids.max ("max" = no cap at this level)',
                      type: "text",
                      defaultValue: "max",
                    },
                    {
                      name: "timeboxSeconds",
                      label: "Revert after",
                      type: "duration",
                      defaultValue: 900,
                      ...TIMEBOX_SECONDS,
                    },
                  ]}
                />
                <ActionButton
                  action="cgroup.confirm-pids-max"
                  target={target}
                  label="Keep the lifted cap"
                  testId="mitigate-lift-keep"
                  onDone={onDone}
                />
              </>
            ) : (
              <span className="text-xs text-zinc-600 dark:text-zinc-400" data-testid="mitigate-lift-unavailable">
                Unavailable: {ctx!.cgroupWrite.reason}
              </span>
            )}
          </Option>
        )}
        <Option
          title="Restart the container"
          consequence="Threads return to baseline at once; work in flight is interrupted and retried (Celery redelivers unacked tasks). The leak starts again from zero unless its cause is fixed."
        >
          <ActionButton
            action="container.restart"
            target={target}
            label="Restart…"
            variant="danger"
            testId="mitigate-restart"
            onDone={onDone}
            fields={[
              {
                name: "graceSeconds",
                label: "Grace before SIGKILL",
                type: "duration",
                defaultValue: 10,
                ...GRACE_SECONDS,
              },
            ]}
          />
        </Option>
        {(ctx?.workers ?? []).map((w) => (
          <Option
            key={w.hostname}
            title={`Reduce intake on ${w.hostname}`}
            consequence="Fewer tasks start, so threads grow more slowly; the backlog grows instead. Move part of it to a parking queue to split it into smaller batches."
          >
            <ActionButton
              action="worker.pool-shrink"
              target={{ broker: w.broker, hostname: w.hostname }}
              label="Shrink the pool…"
              testId="mitigate-shrink"
              onDone={onDone}
              fields={[{ name: "n", label: "By how many", type: "number", defaultValue: 1, ...POOL_RESIZE_BY }]}
            />
            {w.queues.map((q) => (
              <ActionButton
                key={q}
                action="worker.cancel-consumer"
                target={{ broker: w.broker, hostname: w.hostname }}
                label={`Stop consuming ${q}`}
                fixedParams={{ queue: q }}
                testId="mitigate-cancel"
                onDone={onDone}
              />
            ))}
          </Option>
        ))}
        {(ctx?.queues ?? []).map((q) => (
          <Option
            key={`${q.broker}/${q.queue}`}
            title={`Park part of ${q.queue}`}
            consequence={`Moves messages to a parking queue nobody consumes: intake drops now, and the parked work can be moved back in smaller batches later. Nothing is lost.`}
          >
            <ActionButton
              action="queue.move"
              target={{ broker: q.broker, queue: q.queue }}
              label="Move to parking…"
              testId="mitigate-park"
              onDone={onDone}
              fields={[
                { name: "to", label: "Parking queue", type: "text", defaultValue: `${q.queue}.parking` },
                { name: "count", label: "How many", type: "number", defaultValue: 100, ...MOVE_COUNT },
              ]}
            />
          </Option>
        ))}
      </ul>
      {error && (
        <p role="alert" className="text-xs text-red-600">
          {error}
        </p>
      )}
    </div>
  );
}
