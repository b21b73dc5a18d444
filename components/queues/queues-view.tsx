"use client";
import { useSearchParams } from "next/navigation";
import { useDeferredValue, useMemo, useState } from "react";
import { useQueues } from "@/components/hooks/use-queues";
import { DataTable } from "@/components/ui/data-table";
import { Panel } from "@/components/ui/panel";
import { QueryFallback, StaleNote } from "@/components/ui/query-state";
import { SourceNotice } from "@/components/ui/source-notice";
import { sortCaption, type SortState } from "@/components/ui/table-sort";
import { replaceSearch, useUrlSort } from "@/components/ui/use-url-state";
import { fmtAge, fmtInt, plural } from "@/lib/format";
import type { BrokerSummary } from "@/server/schemas/queues";
import { QueueCard } from "./queue-card";
import { queueColumns } from "./queue-columns";
import { queueRows } from "./queue-rows";

// Every broker's queues, worst first; a down broker keeps its last values with their age.
export function QueuesView() {
  const query = useQueues();
  // The filter lives in the URL (?q=), so a filtered view can be shared and survives a reload.
  const params = useSearchParams();
  const [text, setText] = useState(() => params.get("q") ?? "");
  const deferred = useDeferredValue(text);
  // The sort lives there too (?sort=depth, ?sort=-depth); without it the tables keep their worst-first order.
  const { sort, onSort } = useUrlSort(queueColumns);
  const { error } = query;
  const data = query.data;
  if (!data) return <QueryFallback query={query} what="queues" />;
  return (
    <div className="min-w-0 space-y-4">
      <StaleNote error={error} />
      <form role="search" aria-label="Filter queues" onSubmit={(e) => e.preventDefault()}>
        <label className="flex max-w-xs flex-col text-xs text-zinc-500">
          Queue name
          <input
            type="search"
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              replaceSearch({ q: e.target.value.trim() });
            }}
            placeholder="filter, e.g. dataset"
            className="rounded border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-950"
            data-testid="queue-filter"
          />
        </label>
      </form>
      {data.brokers.length === 0 && <p className="text-sm text-zinc-500">No brokers are configured.</p>}
      {data.brokers.map((b) => (
        <BrokerQueues key={b.name} broker={b} text={deferred.trim()} sort={sort} onSort={onSort} />
      ))}
    </div>
  );
}

function BrokerQueues({
  broker,
  text,
  sort,
  onSort,
}: {
  broker: BrokerSummary;
  text: string;
  sort: SortState | null;
  onSort: (key: string) => void;
}) {
  const rows = useMemo(() => queueRows(broker, text), [broker, text]);
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
          {text ? `${rows.length} of ${plural(broker.queues.length, "queue")}` : plural(rows.length, "queue")} ·{" "}
          {fmtInt(total)} waiting · sampled {fmtAge(broker.sampledAt)}
          {broker.workersPending && (
            <span
              data-testid={`workers-pending-${broker.name}`}
              title="Depths are from this pass; consumers, in-flight counts and rates are the previous pass's until the workers answer."
            >
              {" "}
              · asking workers…
            </span>
          )}
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
        caption={`Queues on broker ${broker.name}, ${sortCaption(queueColumns, sort)}`}
        sort={sort}
        onSort={onSort}
        rowKey={(q) => q.name}
        rowTestId={(q) => `queue-row-${q.name}`}
        card={(q) => <QueueCard q={q} />}
        cardTestId={(q) => `queue-card-${q.name}`}
        virtualizeAbove={200}
        empty={text ? `No queue name on this broker holds "${text}".` : "No queues found on this broker."}
      />
    </Panel>
  );
}
