"use client";
import { useLiveQuery } from "./use-live-query";
import { getJson } from "@/lib/api";
import type { WorkersResponse } from "@/server/schemas/api";

// Live Celery workers (heartbeats and pings). Kept fresh by the SSE "workers" topic.
export function useWorkers() {
  return useLiveQuery({
    queryKey: ["workers"],
    queryFn: ({ signal }) => getJson<WorkersResponse>("/api/workers", signal),
    refetchInterval: 60_000,
  });
}
