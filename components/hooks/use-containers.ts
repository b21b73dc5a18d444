"use client";
import { useLiveQuery } from "./use-live-query";
import { getJson } from "@/lib/api";
import type { ContainersResponse } from "@/server/schemas/api";

// The fleet snapshot. LiveEvents writes each SSE "containers" frame into this key, so the slow
// refetch below only matters while the event stream is reconnecting.
export function useContainers() {
  return useLiveQuery({
    queryKey: ["containers"],
    queryFn: ({ signal }) => getJson<ContainersResponse>("/api/containers", signal),
    refetchInterval: 60_000,
  });
}
