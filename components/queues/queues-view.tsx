"use client";
import { useMemo } from "react";
import { useQueues } from "@/components/hooks/use-queues";
import { DataTable } from "@/components/ui/data-table";
import { Panel } from "@/components/ui/panel";
import { LoadError, Loading, StaleNote } from "@/components/ui/query-state";
import { SourceNotice } from "@/components/ui/source-notice";
import { fmtAge, fmtInt } from "@/lib/format";
import type { BrokerSummary } from "@/server/schemas/queues";
import { QueueCard } from "./queue-card";
import { queueColumns } from "./queue-columns";
import { queueRows } from "./queue-rows";

// Every broker's queues, worst first; a down broker keeps its last values with their age.
export function QueuesView() {
  const query = useQueues();
  const { error, refetch } = query;
  const data = query.data;
  if (!data)
    return error ? <LoadError error={error} what="queues" onRetry={() => void refetch()} /> : <Loading what="queues" />;
  return (
    <div className="min-w-0 space-y-4">
      <StaleNote error={error} />
      {data.brokers.length === 0 && <p className="text-sm text-zinc-500">No brokers are configured.</p>}
      {data.brokers.map((b) => (
        <BrokerQueues key={b.name} broker={b} />
      ))}
    </div>
  );
}

function BrokerQueues({ broker }: { broker: BrokerSummary }) {
  const rows = useMemo(() => queueRows(broker), [broker]);
  const total = rows.reduce((s, q) => s + q.depth, 0);
  return (
    <Panel
      testId={`broker-${broker.name}`}
      title={
        <>
          Broker {broker.name}{" "}
          <span
            className={`ml-1 text-xs font-normal ${broker.ok ? "text-emerald-700 dark:text-emerald-300" : "text-red-700 dark:text-red-300"}`}
          >
            {broker.ok ? "up" : "down"}
          </span>
        </>
      }
      aside={
        <span className="text-xs text-zinc-500 tabular-nums">
          {rows.length} queues · {fmtInt(total)} waiting · sampled {fmtAge(broker.sampledAt)}
        </span>
      }
    >
      {!broker.ok && (
        <SourceNotice
          kind="Broker"
          name={broker.name}
          error={broker.error}
          sampledAt={broker.sampledAt}
          testId={`broker-down-${broker.name}`}
        />
      )}
      <DataTable
        rows={rows}
        columns={queueColumns}
        caption={`Queues on broker ${broker.name}, worst first`}
        rowKey={(q) => q.name}
        rowTestId={(q) => `queue-row-${q.name}`}
        card={(q) => <QueueCard q={q} />}
        cardTestId={(q) => `queue-card-${q.name}`}
        virtualizeAbove={200}
        empty="No queues found on this broker."
      />
    </Panel>
  );
}
