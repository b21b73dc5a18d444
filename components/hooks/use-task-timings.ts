"use client";
import { keepPreviousData } from "@tanstack/react-query";
import { useLiveQuery } from "./use-live-query";
import { getJson } from "@/lib/api";
import type { HistoryRange } from "@/server/schemas/ranges";
import { encodeSegment } from "@/lib/segments";
import type { TaskTimingsResponse } from "@/server/schemas/tasks";

// Task timings from Celery events: the tasks seen on one queue, or one task name. Stored every 5 s, so a slow poll.
export function useTaskTimings(broker: string, filter: { queue: string } | { task: string }, range: HistoryRange) {
  const [kind, value] = "queue" in filter ? ["queue", filter.queue] : ["task", filter.task];
  return useLiveQuery({
    queryKey: ["task-timings", broker, kind, value, range],
    queryFn: ({ signal }) =>
      getJson<TaskTimingsResponse>(
        `/api/tasks/${encodeSegment(broker)}?${kind}=${encodeURIComponent(value)}&range=${range}`,
        signal,
      ),
    placeholderData: keepPreviousData,
    refetchInterval: 10_000,
  });
}
