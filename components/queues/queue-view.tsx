"use client";
import Link from "next/link";
import { useCallback, useMemo, useState } from "react";
import { useQueue } from "@/components/hooks/use-queue";
import { useQueues } from "@/components/hooks/use-queues";
import { useSession } from "@/components/shell/session-context";
import { DataTable } from "@/components/ui/data-table";
import { NotFoundPanel } from "@/components/ui/not-found-panel";
import { Panel } from "@/components/ui/panel";
import { QueryFallback, StaleNote } from "@/components/ui/query-state";
import { ChartRangePicker } from "@/components/charts/chart-range-picker";
import { zoomWindow } from "@/server/schemas/ranges";
import { SourceNotice } from "@/components/ui/source-notice";
import { StatusBadge } from "@/components/ui/status-badge";
import { TaskTimings } from "@/components/tasks/task-timings";
import { workerColumns } from "@/components/workers/worker-columns";
import { fmtDuration, fmtInt, fmtRate, plural } from "@/lib/format";
import { useUrlRange } from "@/components/ui/use-url-state";
import { Composition } from "./composition";
import { MessageBrowser } from "./message-browser";
import { PriorityChips } from "./queue-columns";
import { QueueActions } from "./queue-actions";
import { FailuresLink } from "@/components/failures/failures-link";
import { QueueChart } from "./queue-chart";
import { QuarantineList } from "./quarantine-list";
import { PausedBanner } from "./paused-note";
import { queueProblems, PROBLEM_LABEL } from "./queue-rows";

const CONSUMER_COLUMNS = workerColumns({ withActions: false });

// One queue: its depth over time, what the backlog holds, and who (if anyone) consumes it.
export function QueueView({ broker, queue }: { broker: string; queue: string }) {
  const { range, error: rangeError, setRange } = useUrlRange();
  // A drag on the chart becomes the page's custom range, so the zoom is in the URL (reload, share).
  const zoomTo = useCallback(
    (fromMs: number, toMs: number) => setRange(zoomWindow(fromMs, toMs, Date.now())),
    [setRange],
  );
  const [withArgs, setWithArgs] = useState(false);
  const isAdmin = useSession().role === "admin";
  const detail = useQueue(broker, queue, range, withArgs);
  const all = useQueues();
  const liveBroker = all.data?.brokers.find((b) => b.name === broker);
  const live = useMemo(() => liveBroker?.queues.find((q) => q.name === queue), [liveBroker, queue]);

  if (!detail.data)
    return (
      <QueryFallback
        query={detail}
        what="this queue"
        loading="queue"
        notFound={<NotFoundPanel what="Queue" name={`${broker}/${queue}`} backHref="/queues" backLabel="All queues" />}
      />
    );
  // The composition is read when the page asks, often after the last sample (right after a purge): an empty read
  // that is newer than the sample is the freshest evidence, so the depth says 0 rather than contradicting it.
  const sampled = live ?? detail.data.queue;
  const c = detail.data.composition;
  const emptiedSinceSample =
    c !== null && c.sampled === 0 && sampled.depth > 0 && c.sampledAt > (liveBroker?.sampledAt ?? 0);
  const q = emptiedSinceSample ? { ...sampled, depth: 0, byPriority: {}, oldestSeenSeconds: null } : sampled;
  // The paused banner below says it in full.
  const problems = queueProblems(q).filter((p) => p !== "paused");

  return (
    <div className="min-w-0 space-y-4">
      <nav aria-label="Breadcrumb" className="text-xs text-zinc-500">
        <Link href="/queues" className="hover:underline">
          Queues
        </Link>{" "}
        / {broker}
      </nav>
      <header className="min-w-0">
        <div className="flex flex-wrap items-center gap-2">
          <h1 className="font-mono text-xl font-semibold tracking-tight break-all" data-testid="queue-name">
            {q.name}
          </h1>
          <StatusBadge status={q.status} testId={`status-${q.name}`} />
          {problems.map((p) => (
            <span
              key={p}
              className="rounded border border-crit/50 bg-crit/10 px-2 py-0.5 text-xs text-red-800 dark:text-red-200"
            >
              {PROBLEM_LABEL[p]}
            </span>
          ))}
        </div>
        <p className="mt-1 text-sm text-zinc-500">
          broker {broker} · found via {q.origins.join(", ") || "—"}
        </p>
        {q.fanoutExchange && (
          <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400" data-testid="queue-fanout-note">
            Bound to fanout exchange <span className="font-mono">{q.fanoutExchange}</span>: its workers receive over
            pub/sub and never read this queue&apos;s list, so messages in it (kombu&apos;s restore puts them there) are
            not delivered.
          </p>
        )}
      </header>
      {liveBroker && !liveBroker.ok && (
        <SourceNotice kind="Broker" name={broker} error={liveBroker.error} sampledAt={liveBroker.sampledAt} />
      )}
      <StaleNote error={detail.error} />
      {q.paused && <PausedBanner broker={broker} queue={queue} pause={q.paused} />}
      {/* Action slot: the lead's queue remediation buttons render here. */}
      <QueueActions broker={broker} queue={queue} summary={q} />
      <FailuresLink broker={broker} queue={queue} />
      <dl className="grid grid-cols-2 gap-2 sm:grid-cols-4 lg:grid-cols-8">
        <Stat label="depth" value={fmtInt(q.depth)} testId={`queue-depth-${q.name}`} />
        <Stat label="unacked" value={fmtInt(q.unacked)} />
        <Stat label="orphaned" value={fmtInt(q.orphaned)} hot={q.orphaned > 0} />
        <Stat
          label="consumers"
          value={q.consumers.length === 0 ? (q.paused ? "paused" : "none") : fmtInt(q.consumers.length)}
          hot={q.consumers.length === 0 && !q.paused}
        />
        <Stat label="in / out" value={`${fmtRate(q.ratePerMinuteIn)} · ${fmtRate(q.ratePerMinuteOut)}`} />
        <Stat label="drain time" value={fmtDuration(q.drainSeconds)} />
        <Stat label="oldest seen" value={fmtDuration(q.oldestSeenSeconds)} />
        <Stat label="threshold" value={fmtInt(q.threshold)} />
      </dl>
      <QuarantineList broker={broker} queue={queue} quarantines={detail.data.quarantines} />
      <div className="text-sm">
        By priority: <PriorityChips byPriority={q.byPriority} />
      </div>
      <MessageBrowser broker={broker} queue={queue} />
      <Panel title="Depth over time" aside={<ChartRangePicker range={range} error={rangeError} onChange={setRange} />}>
        <QueueChart
          queueKey={`${broker}/${queue}`}
          range={range}
          history={detail.data.history}
          live={live}
          liveSampledAt={liveBroker?.sampledAt ?? null}
          threshold={q.threshold}
          onZoom={zoomTo}
        />
      </Panel>
      <div className="grid gap-4 xl:grid-cols-2">
        <Composition
          composition={detail.data.composition}
          onShowArgs={isAdmin && !withArgs ? () => setWithArgs(true) : undefined}
          argsRequested={withArgs}
        />
        <Panel
          title="Consumers"
          testId="consumers"
          aside={<span className="text-xs text-zinc-500">{plural(detail.data.consumers.length, "worker")}</span>}
        >
          {detail.data.consumers.length === 0 && q.paused ? (
            <p className="text-sm">Paused: the workers that consumed it were told to stop until it is resumed.</p>
          ) : detail.data.consumers.length === 0 ? (
            <p className="text-sm font-semibold text-red-700 dark:text-red-300">
              No worker consumes this queue: messages will wait until one is started with -Q {q.name}.
            </p>
          ) : (
            <DataTable
              rows={detail.data.consumers}
              columns={CONSUMER_COLUMNS}
              caption={`Workers consuming ${q.name}`}
              rowKey={(w) => w.hostname}
            />
          )}
        </Panel>
      </div>
      <TaskTimings broker={broker} filter={{ queue }} />
    </div>
  );
}

function Stat({ label, value, hot = false, testId }: { label: string; value: string; hot?: boolean; testId?: string }) {
  return (
    <div
      className={`rounded-md border px-3 py-2 ${hot ? "border-crit/60 bg-crit/10" : "border-zinc-200 dark:border-zinc-800"}`}
    >
      <dt className="text-xs text-zinc-500">{label}</dt>
      <dd
        data-testid={testId}
        className={`text-base font-semibold tabular-nums ${hot ? "text-red-700 dark:text-red-300" : ""}`}
      >
        {value}
      </dd>
    </div>
  );
}
