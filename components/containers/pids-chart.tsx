"use client";
import { useMemo } from "react";
import { useLiveTail } from "@/components/hooks/use-live-tail";
import { clockTime, padToRange, youngDataSince } from "@/components/charts/range-pad";
import { TimeSeries, type SeriesSpec } from "@/components/charts/time-series";
import { asChartRange, rangeLabel, rangeSpanMs, type ChartRange, type HistoryRange } from "@/server/schemas/ranges";
import { fmtDuration, fmtInt } from "@/lib/format";
import type { PidsPoint } from "@/server/schemas/api";
import type { ContainerChange, ContainerEvent, ContainerSummary } from "@/server/schemas/containers";
import { etaTarget } from "./fleet";
import { appendLive, buildPidsColumns, eventMarkers, mergeHistory } from "./pids-series";
import { Time } from "@/components/ui/time";

const CURRENT: SeriesSpec = { label: "pids current", color: "#60a5fa", width: 2 };
const EFFECTIVE: SeriesSpec = { label: "effective limit", color: "#ef4444", stepped: true };
const OWN: SeriesSpec = { label: "own limit", color: "#f59e0b", dash: [8, 4], stepped: true };
const PROJECTION: SeriesSpec = { label: "projection", color: "#a78bfa", dash: [6, 4] };

interface Props {
  containerKey: string;
  range: ChartRange | HistoryRange;
  history: readonly PidsPoint[];
  events: readonly ContainerEvent[];
  /** Audited changes (raise, revert, restart...) that name the markers; Docker events they explain are left out. */
  changes?: readonly ContainerChange[];
  /** A drag on the chart sets a custom range (kept in the URL, so a zoom survives reload and share). */
  onZoom?: (fromMs: number, toMs: number) => void;
  /** This container in the ["containers"] SSE cache; its newest sample is appended on every frame. */
  live: ContainerSummary | undefined;
}

const NO_CHANGES: readonly ContainerChange[] = [];

export function PidsChart({
  containerKey,
  range: rangeIn,
  history,
  events,
  changes = NO_CHANGES,
  live,
  onZoom,
}: Props) {
  const range = asChartRange(rangeIn);
  const custom = range.kind === "custom" ? range : null;
  // Live samples collected while the page is open, kept across range switches.
  const tailPoints = useLiveTail<PidsPoint>(containerKey, (tail) => (live ? appendLive(tail, live) : tail));

  const rangeMs = rangeSpanMs(range);
  // A custom window is a fixed piece of the past: no projection ahead of it.
  const growthPerMinute = custom ? null : (live?.growthPerMinute ?? null);
  const etaSeconds = live?.etaSeconds ?? null;
  const points = useMemo(
    () => mergeHistory(history, tailPoints, custom ? { fromMs: custom.fromMs, toMs: custom.toMs } : rangeMs),
    [history, tailPoints, custom, rangeMs],
  );
  const cols = useMemo(
    () => buildPidsColumns(points, { etaSeconds, growthPerMinute, horizonMs: rangeMs / 4 }),
    [points, etaSeconds, growthPerMinute, rangeMs],
  );
  const series = useMemo(
    () => (cols.showOwnLimit ? [CURRENT, EFFECTIVE, OWN, PROJECTION] : [CURRENT, EFFECTIVE, PROJECTION]),
    [cols.showOwnLimit],
  );
  const last = points[points.length - 1];
  // The x axis spans the chosen range even when the container is younger than it; the note says since when.
  const endMs = custom ? custom.toMs : last?.ts;
  const startMs = custom ? custom.fromMs : last ? last.ts - rangeMs : 0;
  const since = youngDataSince(points[0]?.ts, endMs, rangeMs);
  const data = useMemo(
    () =>
      custom
        ? padToRange(cols.data, custom.fromMs, custom.toMs)
        : since !== null && last
          ? padToRange(cols.data, startMs)
          : cols.data,
    [cols.data, since, last, startMs, custom],
  );
  const markers = useMemo(
    () => eventMarkers(events, changes, startMs, custom ? custom.toMs : Infinity),
    [events, changes, startMs, custom],
  );
  const shownRange = rangeLabel(range);
  const limitName = etaTarget(live);

  return (
    <div>
      <TimeSeries
        series={series}
        data={data}
        markers={markers}
        yUnit="pids"
        testId="pids-chart"
        onZoom={onZoom}
        ariaLabel={`pids over ${shownRange}: ${custom ? "last" : "now"} ${fmtInt(last?.current)} of ${fmtInt(last?.effectiveLimit)}`}
      />
      <p className="mt-2 text-xs text-zinc-500" data-testid="pids-chart-summary">
        {fmtInt(points.length)} points
        {since !== null && (
          <span data-testid="chart-data-since">
            {" "}
            (data since {clockTime(since)}, younger than {custom ? "the range" : shownRange})
          </span>
        )}
        .{" "}
        {custom
          ? `Custom range ${shownRange}: no projection.`
          : cols.projectionEnd
            ? cols.projectionEnd.reachesLimit
              ? `At the current growth ${limitName} is reached in ${fmtDuration(etaSeconds)} (dashed).`
              : `Dashed: projected ${fmtInt(cols.projectionEnd.value)} pids in ${fmtDuration(rangeMs / 4000)}; ${etaSeconds === null ? "no limit is in reach" : `${limitName} is ${fmtDuration(etaSeconds)} away`}.`
            : "Not growing: no projection."}
      </p>
      {markers.length > 0 && (
        <details className="mt-1 text-xs">
          <summary className="cursor-pointer text-zinc-500">
            {markers.length} {markers.length === 1 ? "event" : "events"} in range
          </summary>
          <ul className="mt-1 max-h-40 overflow-auto font-mono" data-testid="pids-chart-markers">
            {[...markers].reverse().map((m) => (
              <li key={`${m.tsMs}-${m.label}`}>
                <Time ts={m.tsMs} /> — {m.label}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
