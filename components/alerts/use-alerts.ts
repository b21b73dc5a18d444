"use client";
import { useLiveQuery } from "@/components/hooks/use-live-query";
import { getJson } from "@/lib/api";
import type { AlertsResponse } from "@/server/schemas/alerts";

// Alerts, rules and deliveries. The SSE "alerts" topic invalidates this key on every change.
export function useAlerts() {
  return useLiveQuery({
    queryKey: ["alerts"],
    queryFn: ({ signal }) => getJson<AlertsResponse>("/api/alerts", signal),
    refetchInterval: 30_000,
  });
}
