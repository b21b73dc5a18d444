"use client";
import { useQuery } from "@tanstack/react-query";
import { useLiveQuery } from "./use-live-query";
import { getJson } from "@/lib/api";
import type { FailureDetail, FailuresResponse } from "@/server/schemas/failures";

// Failures read from result backends, filtered as the URL says. The server emits "invalidate" ["failures"] when a
// backend pass found new ones; the interval covers an instance that does not read backends itself.
export function useFailures(search: string) {
  return useLiveQuery({
    queryKey: ["failures", search],
    queryFn: ({ signal }) => getJson<FailuresResponse>(`/api/failures${search ? `?${search}` : ""}`, signal),
    refetchInterval: 30_000,
  });
}

/** One failure with its traceback, fetched when its row is opened. */
export function useFailureDetail(broker: string, taskId: string, enabled: boolean) {
  return useQuery({
    queryKey: ["failures", "detail", broker, taskId],
    queryFn: ({ signal }) =>
      getJson<FailureDetail>(`/api/failures/${encodeURIComponent(broker)}/${encodeURIComponent(taskId)}`, signal),
    enabled,
  });
}
