"use client";
import { useMemo } from "react";
import { useLiveTail } from "@/components/hooks/use-live-tail";
import { clockTime, padToRange, youngDataSince } from "@/components/charts/range-pad";
import { TimeSeries, type SeriesSpec } from "@/components/charts/time-series";
import { RANGE_MS, type HistoryRange } from "@/server/schemas/ranges";
import { fmtDuration, fmtInt } from "@/lib/format";
import type { PidsPoint } from "@/server/schemas/api";
import type { ContainerEvent, ContainerSummary } from "@/server/schemas/containers";
import { etaTarget } from "./fleet";
import { appendLive, buildPidsColumns, eventMarkers } from "./pids-series";
import { Time } from "@/components/ui/time";

const CURRENT: SeriesSpec = { label: "pids current", color: "#60a5fa", width: 2 };
const EFFECTIVE: SeriesSpec = { label: "effective limit", color: "#ef4444", stepped: true };
const OWN: SeriesSpec = { label: "own limit", color: "#f59e0b", dash: [8, 4], stepped: true };
const PROJECTION: SeriesSpec = { label: "projection", color: "#a78bfa", dash: [6, 4] };

interface Props {
  containerKey: string;
  range: HistoryRange;
  history: readonly PidsPoint[];
  events: readonly ContainerEvent[];
  /** This container in the ["containers"] SSE cache; its newest sample is appended on every frame. */
  live: ContainerSummary | undefined;
}

export function PidsChart({ containerKey, range, history, events, live }: Props) {
  // Live samples collected while the page is open, kept across range switches.
  const tailPoints = useLiveTail<PidsPoint>(containerKey, (tail) => (live ? appendLive(tail, live) : tail));

  const rangeMs = RANGE_MS[range];
  const growthPerMinute = live?.growthPerMinute ?? null;
  const etaSeconds = live?.etaSeconds ?? null;
  const points = useMemo(() => {
    const lastStored = history.length ? history[history.length - 1]!.ts : -Infinity;
    const merged = [...history, ...tailPoints.filter((p) => p.ts > lastStored)];
    const cutoff = merged.length ? merged[merged.length - 1]!.ts - rangeMs : 0;
    return merged.filter((p) => p.ts >= cutoff);
  }, [history, tailPoints, rangeMs]);
  const cols = useMemo(
    () => buildPidsColumns(points, { etaSeconds, growthPerMinute, horizonMs: rangeMs / 4 }),
    [points, etaSeconds, growthPerMinute, rangeMs],
  );
  const series = useMemo(
    () => (cols.showOwnLimit ? [CURRENT, EFFECTIVE, OWN, PROJECTION] : [CURRENT, EFFECTIVE, PROJECTION]),
    [cols.showOwnLimit],
  );
  const fromMs = points.length ? points[0]!.ts : 0;
  const last = points[points.length - 1];
  // The x axis spans the chosen range even when the container is younger than it; the note says since when.
  const since = youngDataSince(points[0]?.ts, last?.ts, rangeMs);
  const data = useMemo(
    () => (since !== null && last ? padToRange(cols.data, last.ts - rangeMs) : cols.data),
    [cols.data, since, last, rangeMs],
  );
  const markers = useMemo(() => eventMarkers(events, fromMs), [events, fromMs]);
  const limitName = etaTarget(live);

  return (
    <div>
      <TimeSeries
        series={series}
        data={data}
        markers={markers}
        yUnit="pids"
        testId="pids-chart"
        ariaLabel={`pids over ${range}: now ${fmtInt(last?.current)} of ${fmtInt(last?.effectiveLimit)}`}
      />
      <p className="mt-2 text-xs text-zinc-500" data-testid="pids-chart-summary">
        {fmtInt(points.length)} points
        {since !== null && (
          <span data-testid="chart-data-since">
            {" "}
            (data since {clockTime(since)}, younger than {range})
          </span>
        )}
        .{" "}
        {cols.projectionEnd
          ? cols.projectionEnd.reachesLimit
            ? `At the current growth ${limitName} is reached in ${fmtDuration(etaSeconds)} (dashed).`
            : `Dashed: projected ${fmtInt(cols.projectionEnd.value)} pids in ${fmtDuration(rangeMs / 4000)}; ${etaSeconds === null ? "no limit is in reach" : `${limitName} is ${fmtDuration(etaSeconds)} away`}.`
          : "Not growing: no projection."}
      </p>
      {markers.length > 0 && (
        <details className="mt-1 text-xs">
          <summary className="cursor-pointer text-zinc-500">{markers.length} container events in range</summary>
          <ul className="mt-1 max-h-40 overflow-auto font-mono">
            {events
              .filter((e) => e.ts >= fromMs)
              .map((e) => (
                <li key={`${e.ts}-${e.action}`}>
                  <Time ts={e.ts} /> — {e.action}
                </li>
              ))}
          </ul>
        </details>
      )}
    </div>
  );
}
