"use client";
import Link from "next/link";
import { useWorker } from "@/components/hooks/use-worker";
import { useWorkers } from "@/components/hooks/use-workers";
import { NotFoundPanel } from "@/components/ui/not-found-panel";
import { Fact, Panel } from "@/components/ui/panel";
import { QueryFallback, StaleNote } from "@/components/ui/query-state";
import { StatusBadge } from "@/components/ui/status-badge";
import { fmtAge, fmtInt } from "@/lib/format";
import { queueHref } from "@/lib/segments";
import { WorkerActions } from "./worker-actions";
import { FailuresLink } from "@/components/failures/failures-link";

// One worker: pool and concurrency, the queues it drains, its tasks in hand, its heartbeat, and its actions.
export function WorkerView({ broker, hostname }: { broker: string; hostname: string }) {
  const detail = useWorker(broker, hostname);
  const all = useWorkers();
  if (!detail.data)
    return (
      <QueryFallback
        query={detail}
        what="this worker"
        loading="worker"
        notFound={
          <NotFoundPanel what="Worker" name={`${broker}/${hostname}`} backHref="/workers" backLabel="All workers" />
        }
      />
    );
  // Counts follow the live ["workers"] cache; the detail adds what only it has (heartbeat, queue depths).
  const w = all.data?.workers.find((x) => x.broker === broker && x.hostname === hostname) ?? detail.data.worker;
  const { heartbeat, queues } = detail.data;

  return (
    <div className="min-w-0 space-y-4" data-testid="worker-view">
      <nav aria-label="Breadcrumb" className="text-xs text-zinc-500">
        <Link href="/workers" className="hover:underline">
          Workers
        </Link>{" "}
        / {broker}
      </nav>
      <header className="flex min-w-0 flex-wrap items-center gap-2">
        <h1 className="min-w-0 font-mono text-xl font-semibold tracking-tight break-all" data-testid="worker-name">
          {w.hostname}
        </h1>
        {w.alive ? (
          <span className="text-sm text-emerald-700 dark:text-emerald-300">● alive</span>
        ) : (
          <span className="text-sm font-semibold text-red-700 dark:text-red-300">✕ gone</span>
        )}
        <span className="text-sm text-zinc-500">
          last seen {fmtAge(w.lastSeen)} via {w.via}
        </span>
      </header>
      <StaleNote error={detail.error} />
      <Panel title="Actions" testId="worker-actions-panel">
        <WorkerActions broker={broker} hostname={hostname} worker={w} />
        <div className="mt-3">
          <FailuresLink broker={broker} worker={hostname} />
        </div>
      </Panel>
      <div className="grid gap-4 lg:grid-cols-3">
        <Panel title="Pool">
          <dl>
            <Fact label="Kind">{w.pool ?? "unknown"}</Fact>
            <Fact label="Concurrency">{fmtInt(w.concurrency)}</Fact>
            <Fact label="Processes">
              <span title={w.processes.join(", ")}>{fmtInt(w.processes.length)}</span>
            </Fact>
            <Fact label="Autoscale (max, min)">{w.autoscale ? `${w.autoscale[0]}, ${w.autoscale[1]}` : "off"}</Fact>
          </dl>
        </Panel>
        <Panel title="Tasks in hand">
          <dl data-testid="worker-tasks">
            <Fact label="Active (running)">{fmtInt(w.active)}</Fact>
            <Fact label="Reserved (prefetched)">{fmtInt(w.reserved)}</Fact>
            <Fact label="Scheduled (ETA/countdown)">{fmtInt(w.scheduled)}</Fact>
          </dl>
        </Panel>
        <Panel title="Heartbeat" testId="worker-heartbeat">
          {heartbeat ? (
            <dl>
              <Fact label="Last heartbeat">{fmtAge(heartbeat.lastSeenMs)}</Fact>
              <Fact label="Interval">every {fmtInt(heartbeat.freqSeconds)} s</Fact>
              <Fact label="Processed (since start)">{fmtInt(heartbeat.processed)}</Fact>
              <Fact label="Said goodbye">{heartbeat.offline ? "yes (clean shutdown)" : "no"}</Fact>
            </dl>
          ) : (
            <p className="text-sm text-zinc-500">
              No heartbeat received: the worker answers pings but sends no events (start it with -E to see heartbeats).
            </p>
          )}
        </Panel>
      </div>
      <Panel
        title="Queues consumed"
        testId="worker-queues"
        aside={
          <span className="text-xs text-zinc-500">
            {queues.length === 1 ? "1 queue" : `${fmtInt(queues.length)} queues`}
          </span>
        }
      >
        {queues.length === 0 ? (
          <p className="text-sm text-zinc-500">This worker consumes no queue.</p>
        ) : (
          <ul className="divide-y divide-zinc-200 text-sm dark:divide-zinc-800">
            {queues.map((q) => (
              <li key={q.name} className="flex min-w-0 items-center gap-2 py-1.5">
                <Link
                  href={queueHref(broker, q.name)}
                  className="min-w-0 truncate font-mono text-blue-700 hover:underline dark:text-blue-300"
                >
                  {q.name}
                </Link>
                {q.status && <StatusBadge status={q.status} />}
                <span className="ml-auto shrink-0 text-zinc-500 tabular-nums">
                  {q.depth === null ? "not sampled" : `depth ${fmtInt(q.depth)}`}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Panel>
    </div>
  );
}
