"use client";
import { keepPreviousData } from "@tanstack/react-query";
import { useLiveQuery } from "./use-live-query";
import { getJson } from "@/lib/api";
import { encodeSegment } from "@/lib/segments";
import type { QueueDetailResponse } from "@/server/schemas/api";
import { rangeKey, rangeQuery, type ChartRange, type HistoryRange } from "@/server/schemas/ranges";

// One queue's history, backlog composition and consumers. Composition is a sample of the backlog,
// so it is refreshed on a slow interval; live depth comes from the ["queues"] cache.
// withArgs asks for task arguments, which the API returns only to admins when the console allows it.
export function useQueue(broker: string, queue: string, range: ChartRange | HistoryRange, withArgs = false) {
  const key = rangeKey(range);
  return useLiveQuery({
    queryKey: withArgs ? ["queue", broker, queue, key, "args"] : ["queue", broker, queue, key],
    queryFn: ({ signal }) =>
      getJson<QueueDetailResponse>(
        `/api/queues/${encodeSegment(broker)}/${encodeSegment(queue)}?${rangeQuery(range)}${withArgs ? "&args=1" : ""}`,
        signal,
      ),
    placeholderData: keepPreviousData,
    refetchInterval: 30_000,
  });
}
