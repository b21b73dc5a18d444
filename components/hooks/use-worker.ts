"use client";
import { useLiveQuery } from "./use-live-query";
import { getJson } from "@/lib/api";
import { encodeSegment } from "@/lib/segments";
import type { WorkerDetailResponse } from "@/server/schemas/api";

// One worker's page data; the ["workers"] cache (SSE) keeps its counts live, this adds heartbeat and queue depths.
export function useWorker(broker: string, hostname: string) {
  return useLiveQuery({
    queryKey: ["worker", broker, hostname],
    queryFn: ({ signal }) =>
      getJson<WorkerDetailResponse>(`/api/workers/${encodeSegment(broker)}/${encodeSegment(hostname)}`, signal),
    refetchInterval: 10_000,
  });
}
