"use client";
import Link from "next/link";
import { useCallback, useMemo } from "react";
import { useContainer } from "@/components/hooks/use-container";
import { useUrlRange } from "@/components/ui/use-url-state";
import { useContainers } from "@/components/hooks/use-containers";
import { MiddleTruncate } from "@/components/ui/middle-truncate";
import { NotFoundPanel } from "@/components/ui/not-found-panel";
import { Panel } from "@/components/ui/panel";
import { QueryFallback, StaleNote } from "@/components/ui/query-state";
import { ChartRangePicker } from "@/components/charts/chart-range-picker";
import { zoomWindow } from "@/server/schemas/ranges";
import { SourceNotice } from "@/components/ui/source-notice";
import { StatusBadge } from "@/components/ui/status-badge";
import { fmtAge, fmtInt, fmtPercent } from "@/lib/format";
import { ContainerActions } from "./container-actions";
import { Diagnosis } from "./diagnosis";
import { growthText, limitShare } from "./fleet";
import { LimitPanel } from "./limit-panel";
import { PidsChart } from "./pids-chart";
import { RevertBanner } from "./revert-banner";
import { ForecastText } from "./forecast-text";

// One container: why it is (or will be) out of pids, what limits it, and what its threads are doing.
export function ContainerView({ host, id }: { host: string; id: string }) {
  const { range, error: rangeError, setRange } = useUrlRange();
  // A drag on the chart becomes the page's custom range, so the zoom is in the URL (reload, share).
  const zoomTo = useCallback(
    (fromMs: number, toMs: number) => setRange(zoomWindow(fromMs, toMs, Date.now())),
    [setRange],
  );
  const detail = useContainer(host, id, range);
  const fleet = useContainers();
  const live = useMemo(
    () => fleet.data?.containers.find((c) => c.host === host && c.id === id),
    [fleet.data, host, id],
  );
  const hostState = fleet.data?.hosts.find((h) => h.name === host);

  if (!detail.data)
    return (
      <QueryFallback
        query={detail}
        what="this container"
        loading="container"
        notFound={
          <NotFoundPanel what="Container" name={`${host}/${id}`} backHref="/containers" backLabel="All containers" />
        }
      />
    );
  const { cgroup, history, events, changes } = detail.data;
  // The SSE snapshot is newer than the detail fetch; prefer it for everything that changes per sample.
  const c = live && live.sampledAt >= detail.data.container.sampledAt ? live : detail.data.container;

  return (
    <div className="min-w-0 space-y-4">
      <nav aria-label="Breadcrumb" className="text-xs text-zinc-500">
        <Link href="/containers" className="hover:underline">
          Containers
        </Link>{" "}
        / {host}
      </nav>
      <header className="min-w-0">
        <div className="flex flex-wrap items-center gap-2">
          <h1 className="text-xl font-semibold tracking-tight break-all">{c.name}</h1>
          <StatusBadge status={c.status} testId={`status-${c.name}`} />
          {c.refusingNow && (
            <span className="rounded bg-crit px-2 py-0.5 text-xs font-semibold text-white">refusing forks now</span>
          )}
        </div>
        <p className="mt-1 text-sm break-all text-zinc-500">
          {c.image} · {c.state} · host {host} ·{" "}
          <MiddleTruncate value={c.id} tailChars={6} className="max-w-48" testId="container-id" /> · via {c.via} ·
          sampled {fmtAge(c.sampledAt)}
        </p>
        {c.reasons.length > 0 && (
          <ul className="mt-2 list-disc space-y-0.5 pl-5 text-sm" data-testid="reasons">
            {c.reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        )}
      </header>
      {hostState && !hostState.ok && (
        <SourceNotice kind="Docker host" name={host} error={hostState.error} sampledAt={hostState.sampledAt} />
      )}
      <StaleNote error={detail.error} />
      {/* Action slot: the lead's remediation buttons render here. */}
      {detail.data.pendingRevert && <RevertBanner host={host} container={c} pending={detail.data.pendingRevert} />}
      <ContainerActions host={host} id={id} container={c} cgroup={cgroup} />
      <dl className="grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-5">
        <Stat label="pids now" value={fmtInt(c.pids.current)} />
        <Stat
          label="effective limit"
          value={
            c.pids.effectiveLimit === null
              ? c.pids.limitSource === "not-visible"
                ? "not visible"
                : "none"
              : fmtInt(c.pids.effectiveLimit)
          }
        />
        <Stat label="share" value={fmtPercent(limitShare(c))} />
        <Stat label="growth" value={growthText(c)} />
        <Stat
          label={
            c.pids.limitSource === "none" || c.pids.limitSource === "kernel" ? "ETA to kernel limit" : "ETA to limit"
          }
          value={<ForecastText container={c} />}
        />
      </dl>
      <div className="grid gap-4 xl:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
        <Panel title="pids over time" aside={<ChartRangePicker range={range} error={rangeError} onChange={setRange} />}>
          <PidsChart
            containerKey={`${host}/${id}`}
            range={range}
            history={history}
            events={events}
            changes={changes}
            live={live}
            onZoom={zoomTo}
          />
        </Panel>
        <LimitPanel container={c} cgroup={cgroup} />
      </div>
      <Diagnosis host={host} id={id} />
    </div>
  );
}

function Stat({ label, value }: { label: string; value: React.ReactNode }) {
  return (
    <div className="rounded-md border border-zinc-200 px-3 py-2 dark:border-zinc-800">
      <dt className="text-xs text-zinc-500">{label}</dt>
      <dd className="text-lg font-semibold tabular-nums">{value}</dd>
    </div>
  );
}
