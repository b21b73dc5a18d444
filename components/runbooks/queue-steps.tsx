"use client";
import { useQueues } from "@/components/hooks/use-queues";
import { fmtAge, fmtDuration, fmtInt, fmtRate, fmtSince } from "@/lib/format";
import type { QueueBacklogContext } from "@/server/schemas/runbooks";
import { Facts } from "./facts";
import { MappedQueueChart } from "./mapped-queue-chart";
import { ActionButton } from "@/components/actions/action-dialog";
import { MOVE_COUNT, POOL_RESIZE_BY } from "@/components/actions/field-bounds";
import { useRecordAction } from "./use-record-action";

// The queue-backlog runbook's Detect, Diagnose and Mitigate: depth rising, no consumers, orphaned in-flight
// messages, a worker that stopped answering; fixed by adding a consumer, requeueing orphans, parking work or pausing
// the queue.

export function QueueDetect({
  broker,
  queue,
  ctx,
}: {
  broker: string;
  queue: string;
  ctx: QueueBacklogContext | undefined;
}) {
  const all = useQueues();
  const q =
    all.data?.brokers.find((b) => b.name === broker)?.queues.find((x) => x.name === queue) ?? ctx?.queue ?? null;
  return (
    <div className="space-y-3">
      {q && (
        <Facts
          items={[
            ["depth", fmtInt(q.depth), "detect-depth"],
            ["threshold", fmtInt(q.threshold)],
            ["consumers", q.consumers.length ? q.consumers.join(", ") : "none", "detect-consumers"],
            ["unacked", fmtInt(q.unacked)],
            ["orphaned", fmtInt(q.orphaned), "detect-orphaned"],
            ["in / out", `${fmtRate(q.ratePerMinuteIn)} / ${fmtRate(q.ratePerMinuteOut)}`],
            ["drains in", q.drainSeconds === null ? "not draining" : fmtDuration(q.drainSeconds)],
            ["workers gone", ctx ? String(ctx.goneWorkers.length) : "…", "detect-gone"],
          ]}
        />
      )}
      <MappedQueueChart broker={broker} queue={queue} />
    </div>
  );
}

export function QueueDiagnose({ ctx }: { ctx: QueueBacklogContext | undefined }) {
  if (!ctx) return <p className="text-xs text-zinc-500">Reading consumers and backlog…</p>;
  return (
    <div className="grid gap-4 text-sm lg:grid-cols-2">
      <div data-testid="diagnose-consumers">
        <h3 className="font-medium">Consumers</h3>
        {ctx.consumers.length === 0 && ctx.queue?.paused ? (
          <p data-testid="diagnose-paused">
            Paused by {ctx.queue.paused.by} for {fmtSince(ctx.queue.paused.since)} ({ctx.queue.paused.reason}): no
            worker consumes it on purpose. Resume it in Mitigate.
          </p>
        ) : ctx.consumers.length === 0 ? (
          <p className="text-red-600 dark:text-red-400" data-testid="diagnose-no-consumer">
            No live worker consumes this queue: messages wait until one does.
          </p>
        ) : (
          <ul className="text-xs">
            {ctx.consumers.map((w) => (
              <li key={w.hostname}>
                {w.hostname} ({w.pool ?? "?"} ×{w.concurrency ?? "?"}, {w.active} active)
              </li>
            ))}
          </ul>
        )}
        {ctx.goneWorkers.length > 0 && (
          <>
            <h4 className="mt-2 text-xs font-medium">Stopped answering</h4>
            <ul className="text-xs">
              {ctx.goneWorkers.map((w) => (
                <li key={w.hostname}>
                  {w.hostname}: last seen {fmtAge(w.lastSeen)} ago; its unacked messages are orphaned until requeued
                </li>
              ))}
            </ul>
          </>
        )}
        <p className="mt-2 text-xs text-zinc-500">
          Live workers on this broker:{" "}
          {ctx.liveWorkers.map((w) => `${w.hostname} [${w.queues.join(", ")}]`).join("; ") || "none"}
        </p>
      </div>
      <div>
        <h3 className="font-medium">What waits</h3>
        {ctx.composition?.groups.length ? (
          <ul className="text-xs" data-testid="diagnose-composition">
            {ctx.composition.groups.slice(0, 8).map((g) => (
              <li key={g.task}>
                {g.task}: {g.count} of {ctx.composition!.sampled} sampled
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-xs text-zinc-500">The queue is empty or could not be sampled.</p>
        )}
      </div>
    </div>
  );
}

export function QueueMitigate({
  runId,
  broker,
  queue,
  ctx,
}: {
  runId: string;
  broker: string;
  queue: string;
  ctx: QueueBacklogContext | undefined;
}) {
  const { onDone, error } = useRecordAction(runId);
  const all = useQueues();
  const paused = all.data?.brokers.find((b) => b.name === broker)?.queues.find((x) => x.name === queue)?.paused;
  const candidates = (ctx?.liveWorkers ?? []).filter((w) => !w.queues.includes(queue));
  return (
    <div className="space-y-2 text-sm">
      <ul className="space-y-2">
        {candidates.map((w) => (
          <li key={w.hostname} className="rounded border border-zinc-200 p-2 dark:border-zinc-800">
            <div className="flex flex-wrap items-center justify-between gap-2">
              <span className="font-medium">
                Add {queue} to {w.hostname}
              </span>
              <ActionButton
                action="worker.add-consumer"
                target={{ broker, hostname: w.hostname }}
                fixedParams={{ queue }}
                label={`Add consumer on ${w.hostname}`}
                testId="mitigate-add-consumer"
                onDone={onDone}
              />
            </div>
            <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">
              The worker starts taking {queue} at once (until it restarts: make it permanent in its -Q list). Its own
              queues now share its pool, so they may slow down.
            </p>
          </li>
        ))}
        {candidates.length === 0 && (
          <li className="text-xs text-zinc-500">No live worker to add a consumer to: start one with -Q {queue}.</li>
        )}
        {(ctx?.queue?.orphaned ?? 0) > 0 && (
          <li className="rounded border border-zinc-200 p-2 dark:border-zinc-800">
            <div className="flex items-center justify-between">
              <span className="font-medium">Requeue orphaned messages</span>
              <ActionButton
                action="queue.requeue-orphans"
                target={{ broker, queue }}
                label="Requeue orphans…"
                testId="mitigate-requeue"
                onDone={onDone}
              />
            </div>
            <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">
              Messages held by a worker that is gone go back to the queue; if that worker was only slow, a task may run
              twice.
            </p>
          </li>
        )}
        <li className="rounded border border-zinc-200 p-2 dark:border-zinc-800">
          <div className="flex items-center justify-between">
            <span className="font-medium">Park part of the backlog</span>
            <ActionButton
              action="queue.move"
              target={{ broker, queue }}
              label="Move to parking…"
              testId="mitigate-park"
              onDone={onDone}
              fields={[
                { name: "to", label: "Parking queue", type: "text", defaultValue: `${queue}.parking` },
                { name: "count", label: "How many", type: "number", defaultValue: 100, ...MOVE_COUNT },
              ]}
            />
          </div>
          <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">
            Splits the backlog into smaller batches: parked messages wait, unconsumed, until moved back. Nothing is
            lost.
          </p>
        </li>
        <li className="rounded border border-zinc-200 p-2 dark:border-zinc-800" data-testid="mitigate-pause-item">
          <div className="flex flex-wrap items-center justify-between gap-2">
            <span className="font-medium">
              {paused ? `Paused by ${paused.by} for ${fmtSince(paused.since)}` : `Pause ${queue}`}
            </span>
            {paused ? (
              <ActionButton
                action="queue.resume"
                target={{ broker, queue }}
                label="Resume…"
                testId="mitigate-resume"
                onDone={onDone}
              />
            ) : (
              <ActionButton
                action="queue.pause"
                target={{ broker, queue }}
                label="Pause…"
                testId="mitigate-pause"
                onDone={onDone}
              />
            )}
          </div>
          <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">
            Stops every worker from taking new {queue} tasks without stopping the workers (Celery&apos;s
            cancel_consumer): use it while a bad deploy or a failing dependency would burn through the backlog. Messages
            keep arriving and wait; a worker that starts later is stopped too; resume drains them.
          </p>
        </li>
        {(ctx?.consumers ?? []).map((w) => (
          <li key={w.hostname} className="rounded border border-zinc-200 p-2 dark:border-zinc-800">
            <div className="flex items-center justify-between">
              <span className="font-medium">Shrink {w.hostname}&apos;s pool</span>
              <ActionButton
                action="worker.pool-shrink"
                target={{ broker, hostname: w.hostname }}
                label="Shrink…"
                testId="mitigate-shrink"
                onDone={onDone}
                fields={[{ name: "n", label: "By how many", type: "number", defaultValue: 1, ...POOL_RESIZE_BY }]}
              />
            </div>
            <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">
              Less concurrency: fewer threads and connections, slower draining.
            </p>
          </li>
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
