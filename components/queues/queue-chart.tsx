"use client";
import { useMemo } from "react";
import { useLiveTail } from "@/components/hooks/use-live-tail";
import { clockTime, padToRange, youngDataSince } from "@/components/charts/range-pad";
import { TimeSeries, type SeriesSpec } from "@/components/charts/time-series";
import { asChartRange, rangeLabel, rangeSpanMs, type ChartRange, type HistoryRange } from "@/server/schemas/ranges";
import { fmtInt } from "@/lib/format";
import type { QueuePoint } from "@/server/schemas/api";
import type { QueueSummary } from "@/server/schemas/queues";
import { appendLiveQueue, queueColumns } from "./queue-series";

const SERIES: SeriesSpec[] = [
  { label: "depth", color: "#60a5fa", width: 2 },
  { label: "unacked", color: "#f59e0b" },
  { label: "orphaned", color: "#ef4444", dash: [6, 4] },
];

interface Props {
  queueKey: string;
  range: ChartRange | HistoryRange;
  history: readonly QueuePoint[];
  live: QueueSummary | undefined;
  liveSampledAt: number | null;
  threshold: number;
  /** A drag on the chart sets a custom range (kept in the URL). */
  onZoom?: (fromMs: number, toMs: number) => void;
}

export function QueueChart({ queueKey, range: rangeIn, history, live, liveSampledAt, threshold, onZoom }: Props) {
  const tailPoints = useLiveTail<QueuePoint>(queueKey, (tail) =>
    live ? appendLiveQueue(tail, live, liveSampledAt) : tail,
  );
  const range = asChartRange(rangeIn);
  const custom = range.kind === "custom" ? range : null;
  const rangeMs = rangeSpanMs(range);
  const cols = useMemo(
    () => queueColumns(history, tailPoints, custom ? { fromMs: custom.fromMs, toMs: custom.toMs } : rangeMs),
    [history, tailPoints, custom, rangeMs],
  );
  const n = cols[0].length;
  // The x axis spans the chosen range even when the history is younger than it; the note says since when.
  const firstMs = n ? cols[0][0]! * 1000 : undefined;
  const lastMs = custom ? custom.toMs : n ? cols[0][n - 1]! * 1000 : undefined;
  const since = youngDataSince(firstMs, lastMs, rangeMs);
  const data = useMemo(
    () =>
      custom
        ? padToRange(cols, custom.fromMs, custom.toMs)
        : since !== null && lastMs !== undefined
          ? padToRange(cols, lastMs - rangeMs)
          : cols,
    [cols, since, lastMs, rangeMs, custom],
  );
  const shownRange = rangeLabel(range);
  const thresholds = useMemo(
    () => [{ value: threshold, label: `alert threshold ${fmtInt(threshold)}`, color: "#f97316" }],
    [threshold],
  );
  return (
    <>
      <TimeSeries
        series={SERIES}
        data={data}
        thresholds={thresholds}
        yUnit="messages"
        testId="queue-chart"
        onZoom={onZoom}
        ariaLabel={`queue depth over ${shownRange}; threshold ${fmtInt(threshold)}`}
      />
      <p className="mt-2 text-xs text-zinc-500">
        {fmtInt(n)} points
        {since !== null && (
          <span data-testid="chart-data-since">
            {" "}
            (data since {clockTime(since)}, younger than {custom ? "the range" : shownRange})
          </span>
        )}{" "}
        · threshold {fmtInt(threshold)}
      </p>
    </>
  );
}
