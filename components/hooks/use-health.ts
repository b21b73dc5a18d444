"use client";
import { useLiveQuery } from "./use-live-query";
import { getJson } from "@/lib/api";
import type { SourceState } from "@/server/schemas/sources";

export interface Health {
  status: "ok" | "degraded";
  sources: SourceState[];
  instance: string;
  uptimeSeconds: number;
}

export function useHealth() {
  return useLiveQuery({
    queryKey: ["health"],
    queryFn: ({ signal }) => getJson<Health>("/api/health", signal),
    refetchInterval: 15_000,
  });
}
