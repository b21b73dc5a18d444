"use client";
import { useDeferredValue, useMemo, useState } from "react";
import { useContainers } from "@/components/hooks/use-containers";
import { DataTable } from "@/components/ui/data-table";
import { QueryFallback, StaleNote } from "@/components/ui/query-state";
import { SourceNotice } from "@/components/ui/source-notice";
import { sortCaption } from "@/components/ui/table-sort";
import { replaceSearch, useUrlSort } from "@/components/ui/use-url-state";
import { fmtAge, fmtInt, plural } from "@/lib/format";
import { STATUS_LABEL } from "@/lib/status";
import type { Status } from "@/server/schemas/containers";
import { filterAndSort, hostNames, NO_FILTER, type FleetFilter } from "./fleet";
import { ContainerCard } from "./fleet-card";
import { fleetColumns, staleHosts } from "./fleet-columns";

const inputClass = "rounded border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-950";
const STATUSES: Status[] = ["critical", "warn", "unknown", "ok"];

// The fleet table: every container on every host, worst first, live from the SSE cache.
export function ContainersView({ initialFilter = NO_FILTER }: { initialFilter?: FleetFilter }) {
  const query = useContainers();
  const { error } = query;
  const data = query.data;
  const [filter, setFilter] = useState<FleetFilter>(initialFilter);
  // Typing stays responsive with 1,000 rows: the table re-filters on the deferred value.
  const deferred = useDeferredValue(filter);
  const rows = useMemo(() => (data ? filterAndSort(data.containers, deferred) : []), [data, deferred]);
  const stale = useMemo(() => staleHosts(data?.hosts ?? []), [data]);
  const columns = useMemo(() => fleetColumns(stale), [stale]);
  // Filter and sort live in the URL (?q=&host=&status=&sort=), so a view can be shared and survives a reload.
  const { sort, onSort } = useUrlSort(columns);
  const hosts = useMemo(() => (data ? hostNames(data.hosts, data.containers) : []), [data]);

  if (!data) return <QueryFallback query={query} what="containers" />;
  const set = (patch: Partial<FleetFilter>) => {
    setFilter((f) => ({ ...f, ...patch }));
    replaceSearch({
      ...("text" in patch ? { q: patch.text!.trim() } : {}),
      ...("host" in patch ? { host: patch.host! } : {}),
      ...("status" in patch ? { status: patch.status! } : {}),
    });
  };

  return (
    <div className="min-w-0">
      <StaleNote error={error} />
      {data.hosts
        .filter((h) => !h.ok)
        .map((h) => (
          <SourceNotice
            key={h.name}
            kind="Docker host"
            name={h.name}
            error={h.error}
            sampledAt={h.sampledAt}
            testId={`host-down-${h.name}`}
          />
        ))}
      <form
        role="search"
        aria-label="Filter containers"
        className="mb-3 flex flex-wrap items-end gap-2"
        onSubmit={(e) => e.preventDefault()}
      >
        <label className="flex flex-col text-xs text-zinc-500">
          Name, image or id
          <input
            type="search"
            value={filter.text}
            onChange={(e) => set({ text: e.target.value })}
            placeholder="worker"
            className={inputClass}
            data-testid="filter-text"
          />
        </label>
        <label className="flex flex-col text-xs text-zinc-500">
          Host
          <select
            value={filter.host}
            onChange={(e) => set({ host: e.target.value })}
            className={inputClass}
            data-testid="filter-host"
          >
            <option value="">all hosts</option>
            {hosts.map((h) => (
              <option key={h} value={h}>
                {h}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col text-xs text-zinc-500">
          Status
          <select
            value={filter.status}
            onChange={(e) => set({ status: e.target.value as Status | "" })}
            className={inputClass}
            data-testid="filter-status"
          >
            <option value="">any status</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABEL[s]}
              </option>
            ))}
          </select>
        </label>
        <p className="ml-auto text-xs text-zinc-500 tabular-nums" aria-live="polite">
          {fmtInt(rows.length)} of {plural(data.containers.length, "container")} · sampled{" "}
          {fmtAge(newest(data.hosts.map((h) => h.sampledAt)))}
        </p>
      </form>
      <DataTable
        rows={rows}
        columns={columns}
        caption={`Containers, ${sortCaption(columns, sort)}`}
        sort={sort}
        onSort={onSort}
        rowKey={(c) => `${c.host}/${c.id}`}
        rowTestId={(c) => `container-row-${c.name}`}
        card={(c) => <ContainerCard c={c} stale={stale} />}
        cardTestId={(c) => `container-card-${c.name}`}
        virtualizeAbove={100}
        rowHeightPx={40}
        empty={data.containers.length === 0 ? "No containers reported yet." : "No container matches the filter."}
      />
    </div>
  );
}

function newest(ts: (number | null)[]): number | null {
  const vals = ts.filter((t): t is number => t !== null);
  return vals.length ? Math.max(...vals) : null;
}
