"use client";
import Link from "next/link";
import { useMemo } from "react";
import { useQueues } from "@/components/hooks/use-queues";
import { useWorkers } from "@/components/hooks/use-workers";
import { DataTable } from "@/components/ui/data-table";
import { Panel } from "@/components/ui/panel";
import { LoadError, QueryFallback, StaleNote } from "@/components/ui/query-state";
import { SourceNotice } from "@/components/ui/source-notice";
import { fmtInt, plural } from "@/lib/format";
import { queueHref } from "@/lib/segments";
import { PausedBadge } from "@/components/queues/paused-note";
import { consumerMap, sortWorkers } from "./consumer-map";
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
        {/* On phones each queue is a line of its own: name and depth, then who consumes it. */}
        <ul className="space-y-1 md:hidden" aria-label="Queue consumers">
          {map.map((e) => (
            <li
              key={`${e.broker}/${e.queue}`}
              data-testid={`consumers-card-${e.queue}`}
              className={`rounded border border-zinc-200 p-2 text-sm dark:border-zinc-800 ${e.consumers.length === 0 && !pauseOf(e) ? "bg-crit/10" : ""}`}
            >
              <div className="flex items-baseline justify-between gap-2">
                <Link
                  href={queueHref(e.broker, e.queue)}
                  className="min-w-0 truncate text-blue-700 hover:underline dark:text-blue-300"
                  title={e.queue}
                >
                  {e.queue}
                </Link>
                <span className="shrink-0 text-xs text-zinc-500 tabular-nums">
                  {e.broker} · depth {fmtInt(e.depth)}
                </span>
              </div>
              <div className="text-xs break-words">
                {pauseOf(e) ? (
                  <PausedBadge pause={pauseOf(e)!} />
                ) : e.consumers.length === 0 ? (
                  <span className="font-semibold text-red-700 dark:text-red-300">no consumer</span>
                ) : (
                  e.consumers.join(", ")
                )}
              </div>
            </li>
          ))}
        </ul>
        <div className="hidden overflow-x-auto md:block">
          <table className="w-full text-sm">
            <thead className="text-xs text-zinc-500">
              <tr>
                <th scope="col" className="py-1 text-left font-medium">
                  Queue
                </th>
                <th scope="col" className="text-left font-medium">
                  Broker
                </th>
                <th scope="col" className="text-right font-medium">
                  Depth
                </th>
                <th scope="col" className="pl-4 text-left font-medium">
                  Consumers
                </th>
              </tr>
            </thead>
            <tbody>
              {map.map((e) => (
                <tr
                  key={`${e.broker}/${e.queue}`}
                  data-testid={`consumers-of-${e.queue}`}
                  className={`border-t border-zinc-200 dark:border-zinc-800 ${e.consumers.length === 0 && !pauseOf(e) ? "bg-crit/10" : ""}`}
                >
                  <td className="py-1 pr-2">
                    <Link
                      href={queueHref(e.broker, e.queue)}
                      className="text-blue-700 hover:underline dark:text-blue-300"
                    >
                      {e.queue}
                    </Link>
                  </td>
                  <td>{e.broker}</td>
                  <td className="text-right tabular-nums">{fmtInt(e.depth)}</td>
                  <td className="pl-4">
                    {pauseOf(e) ? (
                      <PausedBadge pause={pauseOf(e)!} testId={`consumers-paused-${e.queue}`} />
                    ) : e.consumers.length === 0 ? (
                      <span className="font-semibold text-red-700 dark:text-red-300">no consumer</span>
                    ) : (
                      e.consumers.join(", ")
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Panel>
    </div>
  );
}
