"use client";
import Link from "next/link";
import { useMemo } from "react";
import { useQueues } from "@/components/hooks/use-queues";
import { useWorkers } from "@/components/hooks/use-workers";
import { DataTable, type Column } from "@/components/ui/data-table";
import { Panel } from "@/components/ui/panel";
import { LoadError, QueryFallback, StaleNote } from "@/components/ui/query-state";
import { SourceNotice } from "@/components/ui/source-notice";
import { fmtInt, plural } from "@/lib/format";
import { queueHref } from "@/lib/segments";
import { PausedBadge } from "@/components/queues/paused-note";
import type { QueuePause } from "@/server/schemas/queues";
import { consumerMap, sortWorkers, type ConsumerEntry } from "./consumer-map";
import { PausedQueues } from "./paused-queues";
import { WorkerCard } from "./worker-card";
import { workerColumns } from "./worker-columns";

const COLUMNS = workerColumns({ withActions: true });

// Live Celery workers, and which queues each one drains (queues nobody drains come first).
export function WorkersView() {
  const workers = useWorkers();
  const queues = useQueues();
  const rows = useMemo(() => sortWorkers(workers.data?.workers ?? []), [workers.data]);
  const map = useMemo(
    () => consumerMap(workers.data?.workers ?? [], queues.data?.brokers ?? []),
    [workers.data, queues.data],
  );

  if (!workers.data) return <QueryFallback query={workers} what="workers" />;
  const alive = rows.filter((w) => w.alive).length;
  const paused = new Map((workers.data.paused ?? []).map((p) => [`${p.broker}/${p.queue}`, p]));
  const pauseOf = (e: { broker: string; queue: string }) => paused.get(`${e.broker}/${e.queue}`);
  // A paused queue has no consumer on purpose: it is listed as paused, not counted as missing one.
  const orphanQueues = map.filter((e) => e.consumers.length === 0 && !pauseOf(e)).length;

  return (
    <div className="min-w-0 space-y-4">
      <StaleNote error={workers.error} />
      <PausedQueues pauses={workers.data.paused ?? []} />
      {queues.data?.brokers
        .filter((b) => !b.ok)
        .map((b) => (
          <SourceNotice key={b.name} kind="Broker" name={b.name} error={b.error} sampledAt={b.sampledAt} />
        ))}
      <Panel
        title="Workers"
        aside={
          <span className="text-xs text-zinc-500 tabular-nums" data-testid="worker-count">
            {fmtInt(alive)} alive of {fmtInt(rows.length)}
          </span>
        }
      >
        <DataTable
          rows={rows}
          columns={COLUMNS}
          caption="Celery workers"
          rowKey={(w) => `${w.broker}/${w.hostname}`}
          rowTestId={(w) => `worker-row-${w.hostname}`}
          rowClassName={(w) => (w.alive ? "" : "opacity-70")}
          empty="No worker has sent a heartbeat or answered a ping."
          card={(w) => <WorkerCard w={w} />}
          cardTestId={(w) => `worker-card-${w.hostname}`}
        />
      </Panel>
      <Panel
        title="Queue → consumers"
        testId="consumer-map"
        aside={
          <span
            className={`text-xs tabular-nums ${orphanQueues > 0 ? "font-semibold text-red-700 dark:text-red-300" : "text-zinc-500"}`}
          >
            {plural(orphanQueues, "queue")} without a consumer
          </span>
        }
      >
        {queues.error && !queues.data && <LoadError error={queues.error} what="queues" />}
        <DataTable
          rows={map}
          columns={consumerColumns(pauseOf)}
          caption="Queue consumers"
          rowKey={(e) => `${e.broker}/${e.queue}`}
          rowTestId={(e) => `consumers-of-${e.queue}`}
          rowClassName={(e) => (e.consumers.length === 0 && !pauseOf(e) ? "bg-crit/10" : "")}
          card={(e) => <ConsumerCard e={e} pause={pauseOf(e)} />}
          cardTestId={(e) => `consumers-card-${e.queue}`}
          empty="No queue seen on any broker yet."
        />
      </Panel>
    </div>
  );
}

type PauseOf = (e: ConsumerEntry) => QueuePause | undefined;

function QueueLink({ e, className = "" }: { e: ConsumerEntry; className?: string }) {
  return (
    <Link
      href={queueHref(e.broker, e.queue)}
      className={`text-blue-700 hover:underline dark:text-blue-300 ${className}`}
      title={e.queue}
    >
      {e.queue}
    </Link>
  );
}

/** Who drains the queue: its pause, "no consumer" in red, or the consuming workers. */
function Consumers({ e, pause, testId }: { e: ConsumerEntry; pause: QueuePause | undefined; testId?: string }) {
  if (pause) return <PausedBadge pause={pause} testId={testId} />;
  if (e.consumers.length === 0)
    return <span className="font-semibold text-red-700 dark:text-red-300">no consumer</span>;
  return <>{e.consumers.join(", ")}</>;
}

function consumerColumns(pauseOf: PauseOf): Column<ConsumerEntry>[] {
  return [
    { key: "queue", header: "Queue", width: 240, cell: (e) => <QueueLink e={e} /> },
    { key: "broker", header: "Broker", width: 120, cell: (e) => e.broker },
    { key: "depth", header: "Depth", width: 90, align: "right", cell: (e) => fmtInt(e.depth) },
    {
      key: "consumers",
      header: "Consumers",
      width: 360,
      cell: (e) => <Consumers e={e} pause={pauseOf(e)} testId={`consumers-paused-${e.queue}`} />,
    },
  ];
}

// On phones each queue is a line of its own: name and depth, then who consumes it.
function ConsumerCard({ e, pause }: { e: ConsumerEntry; pause: QueuePause | undefined }) {
  return (
    <>
      <div className="flex items-baseline justify-between gap-2">
        <QueueLink e={e} className="min-w-0 truncate" />
        <span className="shrink-0 text-xs text-zinc-500 tabular-nums">
          {e.broker} · depth {fmtInt(e.depth)}
        </span>
      </div>
      <div className="text-xs break-words">
        <Consumers e={e} pause={pause} />
      </div>
    </>
  );
}
