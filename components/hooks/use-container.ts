"use client";
import { keepPreviousData } from "@tanstack/react-query";
import { useLiveQuery } from "./use-live-query";
import { getJson } from "@/lib/api";
import { encodeSegment } from "@/lib/segments";
import { rangeKey, rangeQuery, type ChartRange, type HistoryRange } from "@/server/schemas/ranges";
import type { ContainerDetailResponse } from "@/server/schemas/api";

export type { HistoryRange };

// One container's history, cgroup chain and events for a range. New points arrive through the
// ["containers"] cache (see pids-chart), so this is fetched once per range, not polled.
export function useContainer(host: string, id: string, range: ChartRange | HistoryRange) {
  return useLiveQuery({
    queryKey: ["container", host, id, rangeKey(range)],
    queryFn: ({ signal }) =>
      getJson<ContainerDetailResponse>(
        `/api/containers/${encodeSegment(host)}/${encodeSegment(id)}?${rangeQuery(range)}`,
        signal,
      ),
    placeholderData: keepPreviousData,
    staleTime: 5 * 60_000,
  });
}
