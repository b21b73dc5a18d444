"use client";
import { useMemo } from "react";
import { useLiveTail } from "@/components/hooks/use-live-tail";
import { TimeSeries, type SeriesSpec } from "@/components/charts/time-series";
import { RANGE_MS, type HistoryRange } from "@/lib/ranges";
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
  const data = useMemo(() => queueColumns(history, tailPoints, RANGE_MS[range]), [history, tailPoints, range]);
  const n = data[0].length;
  return (
    <>
      <TimeSeries
        series={SERIES}
        data={data}
        testId="queue-chart"
        ariaLabel={`queue depth over ${range}; threshold ${fmtInt(threshold)}`}
      />
      <p className="mt-2 text-xs text-zinc-500">
        {fmtInt(n)} points · threshold {fmtInt(threshold)}
      </p>
    </>
  );
}
