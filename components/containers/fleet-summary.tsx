"use client";
import Link from "next/link";
import { useMemo } from "react";
import { useContainers } from "@/components/hooks/use-containers";
import { CardField, CardFields, DataTable, type Column } from "@/components/ui/data-table";
import { Panel } from "@/components/ui/panel";
import { QueryFallback, StaleNote } from "@/components/ui/query-state";
import { SourceNotice } from "@/components/ui/source-notice";
import { StatusBadge } from "@/components/ui/status-badge";
import { fmtInt, fmtPercent } from "@/lib/format";
import { STATUS_LABEL } from "@/lib/status";
import type { ContainerSummary, Status } from "@/server/schemas/containers";
import { atRisk, growthText, limitShare, pidsOverLimit, statusCounts } from "./fleet";
import { ContainerLink, fleetColumns, staleHosts, type StaleHosts } from "./fleet-columns";
import { ForecastText } from "./forecast-text";

const TILE: Record<Status, string> = {
  critical: "border-crit/60 bg-crit/10",
  warn: "border-warn/60 bg-warn/10",
  unknown: "border-zinc-400/50",
  ok: "border-ok/50",
};

/** The fleet table's own columns (one definition), fewer of them, with the host beside the name. */
function atRiskColumns(stale: StaleHosts): Column<ContainerSummary>[] {
  return fleetColumns(stale)
    .filter((c) => AT_RISK_COLUMNS.includes(c.key))
    .map((c) => (c.key === "name" ? { ...c, cell: (x: ContainerSummary) => <NameAndHost c={x} /> } : c));
}
const AT_RISK_COLUMNS = ["status", "name", "pids", "share", "growth", "eta"];

function NameAndHost({ c }: { c: ContainerSummary }) {
  return (
    <>
      <ContainerLink c={c} />
      <span className="ml-1 text-xs text-zinc-500">{c.host}</span>
    </>
  );
}

// A phone gets one card per container: six columns do not fit 390px, and a clipped "1,4" reads as a number.
function AtRiskCard(c: ContainerSummary) {
  return (
    <>
      <div className="flex items-center justify-between gap-2">
        <span className="min-w-0 truncate">
          <NameAndHost c={c} />
        </span>
        <StatusBadge status={c.status} />
      </div>
      <CardFields>
        <CardField label="PIDs / limit">{pidsOverLimit(c)}</CardField>
        <CardField label="Share">{fmtPercent(limitShare(c))}</CardField>
        <CardField label="Growth">{growthText(c)}</CardField>
        <CardField label="ETA" span="full">
          <ForecastText container={c} />
        </CardField>
      </CardFields>
    </>
  );
}

// Overview: how many containers are in trouble, and the five closest to their limit.
export function FleetSummary() {
  const query = useContainers();
  const { error } = query;
  const data = query.data;
  const counts = useMemo(() => (data ? statusCounts(data.containers) : null), [data]);
  const top = useMemo(() => (data ? atRisk(data.containers, 5) : []), [data]);
  const learning = useMemo(() => (data ? data.containers.filter((c) => c.learningSeconds !== null) : []), [data]);
  const columns = useMemo(() => atRiskColumns(staleHosts(data?.hosts ?? [])), [data]);
  if (!data || !counts)
    return (
      <Panel title="Containers">
        <QueryFallback query={query} what="containers" />
      </Panel>
    );

  return (
    <Panel
      title={
        <Link href="/containers" className="hover:underline">
          Containers
        </Link>
      }
      testId="overview-containers"
      aside={
        <span className="text-xs text-zinc-500 tabular-nums">
          {fmtInt(data.containers.length)} on {data.hosts.length} {data.hosts.length === 1 ? "host" : "hosts"}
        </span>
      }
    >
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
      <ul className="mb-4 grid grid-cols-2 gap-2 sm:grid-cols-4">
        {(["critical", "warn", "unknown", "ok"] as const).map((s) => (
          <li key={s}>
            <Link
              href={`/containers?status=${s}`}
              data-testid={`count-${s}`}
              className={`block rounded-md border px-3 py-2 hover:brightness-110 ${TILE[s]}`}
            >
              <span className="block text-2xl font-semibold tabular-nums">{fmtInt(counts[s])}</span>
              <span className="text-xs">{STATUS_LABEL[s]}</span>
            </Link>
          </li>
        ))}
      </ul>
      <h3 className="mb-1 text-xs font-semibold text-zinc-500 uppercase">Closest to their limit</h3>
      {top.length === 0 ? (
        <p className="text-sm text-zinc-500" data-testid="at-risk-empty">
          {learning.length > 0
            ? `Learning (needs ${Math.max(...learning.map((c) => c.learningSeconds ?? 0))} s): the forecast has too few samples of ${fmtInt(learning.length)} ${learning.length === 1 ? "container" : "containers"} to say who is growing.`
            : "No container is near its limit or growing."}
        </p>
      ) : (
        <DataTable
          rows={top}
          columns={columns}
          caption="Containers closest to their limit"
          rowKey={(c) => `${c.host}/${c.id}`}
          testId="at-risk"
          card={AtRiskCard}
          cardTestId={() => "at-risk-card"}
        />
      )}
    </Panel>
  );
}
