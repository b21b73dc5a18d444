"use client";
import { useLiveQuery } from "@/components/hooks/use-live-query";
import { getJson } from "@/lib/api";
import type { RunbookContext, RunbookListResponse, RunbookResponse } from "@/server/schemas/runbooks";

// One run. The SSE "runbooks" topic invalidates ["runbook", id] whenever anyone changes it or the leader's verify
// check reaches a verdict; the slow interval only refreshes the "watching, N s to go" countdown.
export function useRunbook(id: string) {
  return useLiveQuery({
    queryKey: ["runbook", id],
    queryFn: ({ signal }) => getJson<RunbookResponse>(`/api/runbooks/${encodeURIComponent(id)}`, signal),
    refetchInterval: 15_000,
  });
}

/** Cgroup chain, host-side advice, mapped queues / consumers: changes slowly, read every 10 s. */
export function useRunbookContext(id: string) {
  return useLiveQuery({
    queryKey: ["runbook", id, "context"],
    queryFn: ({ signal }) => getJson<RunbookContext>(`/api/runbooks/${encodeURIComponent(id)}/context`, signal),
    refetchInterval: 10_000,
  });
}

export function useRunbooks() {
  return useLiveQuery({
    queryKey: ["runbooks"],
    queryFn: ({ signal }) => getJson<RunbookListResponse>("/api/runbooks", signal),
    refetchInterval: 30_000,
  });
}
