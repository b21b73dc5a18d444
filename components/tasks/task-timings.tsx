"use client";
import Link from "next/link";
import { useState } from "react";
import { ActionButton } from "@/components/actions/action-dialog";
import { useTaskTimings } from "@/components/hooks/use-task-timings";
import { DataTable, type Column } from "@/components/ui/data-table";
import { Panel } from "@/components/ui/panel";
import { QueryView } from "@/components/ui/query-state";
import { RangeToggle } from "@/components/ui/range-toggle";
import { fmtAge, fmtInt, fmtLatency, plural } from "@/lib/format";
import type { HistoryRange } from "@/server/schemas/ranges";
import { taskHref } from "@/lib/segments";
import type { EventWorker, Percentiles, TaskTimingRow, TaskTimingsResponse } from "@/server/schemas/tasks";

// Task timings from Celery events, for the queue page (tasks seen on the queue) and the task page (one task name):
// queue wait and runtime percentiles, outcomes, and, since events are opt-in and lossy, whether any arrive at all.

const pct = (p: Percentiles) => `${fmtLatency(p.p50)} · ${fmtLatency(p.p95)} · ${fmtLatency(p.p99)}`;

function columns(broker: string): Column<TaskTimingRow>[] {
  return [
    {
      key: "name",
      header: "Task",
      width: 240,
      cell: (t) => (
        <div>
          <Link href={taskHref(broker, t.name)} className="font-mono break-all hover:underline">
            {t.name}
          </Link>
          {t.queues.length > 0 && <div className="text-xs text-zinc-500">on {t.queues.join(", ")}</div>}
        </div>
      ),
    },
    { key: "started", header: "Started", width: 90, align: "right", cell: (t) => fmtInt(t.started) },
    {
      key: "outcomes",
      header: "OK / failed / retried",
      width: 160,
      align: "right",
      cell: (t) => `${fmtInt(t.succeeded)} / ${fmtInt(t.failed)} / ${fmtInt(t.retried)}`,
    },
    {
      key: "wait",
      header: "Queue wait p50 · p95 · p99",
      width: 220,
      align: "right",
      cell: (t) => <span data-testid={`wait-${t.name}`}>{pct(t.wait)}</span>,
    },
    {
      key: "runtime",
      header: "Runtime p50 · p95 · p99",
      width: 220,
      align: "right",
      cell: (t) => <span data-testid={`runtime-${t.name}`}>{pct(t.runtime)}</span>,
    },
  ];
}

function EventsNotice({ data }: { data: TaskTimingsResponse }) {
  if (!data.listening)
    return (
      <p className="text-sm text-red-700 dark:text-red-300" data-testid="events-notice">
        Not listening to {data.broker}&apos;s events{data.listenError ? `: ${data.listenError}` : ""}.
      </p>
    );
  if (data.lastTaskEventMs === null)
    return (
      <p className="text-sm font-semibold text-amber-800 dark:text-amber-200" data-testid="events-notice">
        No task events seen since the console started listening {fmtAge(data.listeningSinceMs)}: the workers do not send
        them. Start workers with -E (worker_send_task_events), or turn them on for a worker below.
      </p>
    );
  return (
    <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="events-notice">
      Last task event {fmtAge(data.lastTaskEventMs)}. Events are pub/sub: those sent while the console was down are not
      counted.
    </p>
  );
}

function EventWorkers({ broker, workers }: { broker: string; workers: EventWorker[] }) {
  if (workers.length === 0) return null;
  return (
    <ul className="space-y-1 text-sm" data-testid="event-workers">
      {workers.map((w) => (
        <li key={w.hostname} className="flex flex-wrap items-center gap-2" data-testid={`event-worker-${w.hostname}`}>
          <span className="font-mono">{w.hostname}</span>
          <span className="text-zinc-500">
            {w.lastTaskEventMs === null ? "no task events seen" : `task events ${fmtAge(w.lastTaskEventMs)}`}
          </span>
          {w.lastTaskEventMs === null ? (
            <ActionButton
              action="worker.enable-events"
              target={{ broker, hostname: w.hostname }}
              label="Turn task events on"
              testId={`enable-events-${w.hostname}`}
            />
          ) : (
            <ActionButton
              action="worker.disable-events"
              target={{ broker, hostname: w.hostname }}
              label="Turn task events off"
              testId={`disable-events-${w.hostname}`}
            />
          )}
        </li>
      ))}
    </ul>
  );
}

export function TaskTimings({ broker, filter }: { broker: string; filter: { queue: string } | { task: string } }) {
  const [range, setRange] = useState<HistoryRange>("1h");
  const q = useTaskTimings(broker, filter, range);
  const title = "queue" in filter ? "Task timings (from Celery events)" : "Timings (from Celery events)";
  return (
    <Panel
      title={title}
      testId="task-timings"
      aside={
        <div className="flex items-center gap-2">
          {q.data && <span className="text-xs text-zinc-500">{plural(q.data.tasks.length, "task")}</span>}
          <RangeToggle value={range} onChange={setRange} label="Task timings range" testIdPrefix="timings-range-" />
        </div>
      }
    >
      <QueryView query={q} what="task timings">
        {(data) => (
          <div className="space-y-3">
            <EventsNotice data={data} />
            <EventWorkers broker={broker} workers={data.workers} />
            <DataTable
              rows={data.tasks}
              columns={columns(broker)}
              caption={"queue" in filter ? `Tasks seen on ${filter.queue}` : `Task ${filter.task}`}
              rowKey={(t) => t.name}
              rowTestId={(t) => `task-row-${t.name}`}
              empty={<p className="text-sm text-zinc-500">No task events in this range.</p>}
            />
          </div>
        )}
      </QueryView>
    </Panel>
  );
}
