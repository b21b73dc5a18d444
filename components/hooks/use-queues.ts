"use client";
import { useLiveQuery } from "./use-live-query";
import { getJson } from "@/lib/api";
import type { QueuesResponse } from "@/server/schemas/api";

// Every broker's queues. Kept fresh by the SSE "queues" topic; the refetch covers stream reconnects.
export function useQueues() {
  return useLiveQuery({
    queryKey: ["queues"],
    queryFn: ({ signal }) => getJson<QueuesResponse>("/api/queues", signal),
    refetchInterval: 60_000,
  });
}
