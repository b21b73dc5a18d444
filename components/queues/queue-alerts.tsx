"use client";
import Link from "next/link";
import { useMemo } from "react";
import { useQueues } from "@/components/hooks/use-queues";
import { Panel } from "@/components/ui/panel";
import { QueryFallback, StaleNote } from "@/components/ui/query-state";
import { SourceNotice } from "@/components/ui/source-notice";
import { StatusBadge } from "@/components/ui/status-badge";
import { fmtDuration, fmtInt } from "@/lib/format";
import { queueHref } from "@/lib/segments";
import { PROBLEM_LABEL, queueAlerts } from "./queue-rows";

const MAX_ALERTS = 10;

// Overview: queues over their threshold, with no consumer, or holding orphaned messages.
export function QueueAlerts() {
  const query = useQueues();
  const { error } = query;
  const data = query.data;
  const alerts = useMemo(() => (data ? queueAlerts(data.brokers) : []), [data]);
  if (!data)
    return (
      <Panel title="Queues">
        <QueryFallback query={query} what="queues" />
      </Panel>
    );
  const total = data.brokers.reduce((s, b) => s + b.queues.length, 0);
  return (
    <Panel
      title={
        <Link href="/queues" className="hover:underline">
          Queues
        </Link>
      }
      testId="overview-queues"
      aside={
        <span className="text-xs text-zinc-500 tabular-nums">
          {alerts.length} of {fmtInt(total)} need attention
        </span>
      }
    >
      <StaleNote error={error} />
      {data.brokers
        .filter((b) => !b.ok)
        .map((b) => (
          <SourceNotice
            key={b.name}
            kind="Broker"
            name={b.name}
            error={b.error}
            sampledAt={b.sampledAt}
            testId={`broker-down-${b.name}`}
          />
        ))}
      {alerts.length === 0 ? (
        <p className="text-sm text-zinc-500">
          {total === 0 ? "No queue values yet." : "Every queue holding work is under its threshold and has a consumer."}
        </p>
      ) : (
        <ul className="divide-y divide-zinc-200 text-sm dark:divide-zinc-800">
          {alerts.slice(0, MAX_ALERTS).map((q) => (
            <li
              key={`${q.broker}/${q.name}`}
              className="flex flex-wrap items-center gap-2 py-1.5"
              data-testid={`queue-alert-${q.name}`}
            >
              <StatusBadge status={q.status} />
              <Link
                href={queueHref(q.broker, q.name)}
                className="font-mono font-medium break-all text-blue-700 hover:underline dark:text-blue-300"
              >
                {q.name}
              </Link>
              <span className="text-xs text-zinc-500">{q.broker}</span>
              <span className="ml-auto text-right tabular-nums">
                {fmtInt(q.depth)} / {fmtInt(q.threshold)}
              </span>
              <span className="w-full text-xs text-red-700 sm:w-auto dark:text-red-300">
                {q.problems.map((p) => PROBLEM_LABEL[p]).join(" · ")}
                {q.drainSeconds !== null && (
                  <span className="text-zinc-500"> · drains in {fmtDuration(q.drainSeconds)}</span>
                )}
              </span>
            </li>
          ))}
        </ul>
      )}
      {alerts.length > MAX_ALERTS && (
        <Link href="/queues" className="mt-2 inline-block text-xs text-blue-700 hover:underline dark:text-blue-300">
          {alerts.length - MAX_ALERTS} more…
        </Link>
      )}
    </Panel>
  );
}
