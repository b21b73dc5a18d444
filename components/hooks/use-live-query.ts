"use client";
import { type QueryKey, useQuery, type UseQueryOptions, type UseQueryResult } from "@tanstack/react-query";
import { useHydrated } from "./use-hydrated";

/**
 * useQuery for data the server never renders. The shell (sidebar, status strip) hydrates first and starts its
 * queries; the SSE stream writes snapshots into the cache. A page segment streamed in later could then find data
 * in the cache on its hydrating render while the server rendered its loading state: React reports a hydration
 * mismatch (#418). Every view reads through this hook, so each one's first client render is "pending", exactly as
 * on the server, and the next render (immediately after hydration) shows the data.
 */
export function useLiveQuery<TQueryFnData, TData = TQueryFnData, TQueryKey extends QueryKey = QueryKey>(
  options: UseQueryOptions<TQueryFnData, Error, TData, TQueryKey>,
): UseQueryResult<TData, Error> {
  const q = useQuery(options);
  const hydrated = useHydrated();
  if (hydrated) return q;
  return {
    ...q,
    data: undefined,
    error: null,
    status: "pending",
    isPending: true,
    isLoading: true,
    isSuccess: false,
    isError: false,
    isLoadingError: false,
    isRefetchError: false,
    isPlaceholderData: false,
  } as UseQueryResult<TData, Error>;
}
