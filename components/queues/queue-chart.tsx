"use client";
import { useMemo } from "react";
import { useLiveTail } from "@/components/hooks/use-live-tail";
import { clockTime, padToRange, youngDataSince } from "@/components/charts/range-pad";
import { TimeSeries, type SeriesSpec } from "@/components/charts/time-series";
import { RANGE_MS, type HistoryRange } from "@/server/schemas/ranges";
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
  range: HistoryRange;
  history: readonly QueuePoint[];
  live: QueueSummary | undefined;
  liveSampledAt: number | null;
  threshold: number;
}

export function QueueChart({ queueKey, range, history, live, liveSampledAt, threshold }: Props) {
  const tailPoints = useLiveTail<QueuePoint>(queueKey, (tail) =>
    live ? appendLiveQueue(tail, live, liveSampledAt) : tail,
  );
  const cols = useMemo(() => queueColumns(history, tailPoints, RANGE_MS[range]), [history, tailPoints, range]);
  const n = cols[0].length;
  // The x axis spans the chosen range even when the history is younger than it; the note says since when.
  const firstMs = n ? cols[0][0]! * 1000 : undefined;
  const lastMs = n ? cols[0][n - 1]! * 1000 : undefined;
  const since = youngDataSince(firstMs, lastMs, RANGE_MS[range]);
  const data = useMemo(
    () => (since !== null && lastMs !== undefined ? padToRange(cols, lastMs - RANGE_MS[range]) : cols),
    [cols, since, lastMs, range],
  );
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
        ariaLabel={`queue depth over ${range}; threshold ${fmtInt(threshold)}`}
      />
      <p className="mt-2 text-xs text-zinc-500">
        {fmtInt(n)} points
        {since !== null && (
          <span data-testid="chart-data-since">
            {" "}
            (data since {clockTime(since)}, younger than {range})
          </span>
        )}{" "}
        · threshold {fmtInt(threshold)}
      </p>
    </>
  );
}
