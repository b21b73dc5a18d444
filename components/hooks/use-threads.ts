"use client";
import { useLiveQuery } from "./use-live-query";
import { getJson } from "@/lib/api";
import { encodeSegment } from "@/lib/segments";
import type { ThreadsResponse } from "@/server/schemas/api";

/** How often the thread diagnosis is re-read: the sampler's default interval. */
const THREADS_REFRESH_MS = 5_000;

// Thread diagnosis is read on demand (it walks /proc), so it polls while the tab is visible;
// TanStack pauses the interval for hidden tabs.
export function useThreads(host: string, id: string) {
  return useLiveQuery({
    queryKey: ["threads", host, id],
    queryFn: ({ signal }) =>
      getJson<ThreadsResponse>(`/api/containers/${encodeSegment(host)}/${encodeSegment(id)}/threads`, signal),
    refetchInterval: THREADS_REFRESH_MS,
    refetchIntervalInBackground: false,
    staleTime: 0,
  });
}
