"use client";
import { useLiveQuery } from "./use-live-query";
import { getJson } from "@/lib/api";
import type { HealthResponse } from "@/server/schemas/health";

export function useHealth() {
  return useLiveQuery({
    queryKey: ["health"],
    queryFn: ({ signal }) => getJson<HealthResponse>("/api/health", signal),
    refetchInterval: 15_000,
  });
}
