"use client";
import type { ReactNode } from "react";
import { ApiError } from "@/lib/api";

// Loading and error blocks shared by every data view, so failures read the same everywhere.
export function Loading({ what }: { what: string }) {
  return (
    <p role="status" className="animate-pulse py-6 text-sm text-zinc-500">
      Loading {what}…
    </p>
  );
}

export function LoadError({ error, what, onRetry }: { error: Error; what: string; onRetry?: () => void }) {
  const code = error instanceof ApiError ? ` (${error.status} ${error.code})` : "";
  return (
    <div
      role="alert"
      className="rounded-md border border-crit/50 bg-crit/10 p-3 text-sm text-red-800 dark:text-red-200"
    >
      <p className="font-medium">
        Could not load {what}
        {code}.
      </p>
      <p className="mt-1 break-words opacity-90">{error.message}</p>
      {onRetry && (
        <button type="button" onClick={onRetry} className="mt-2 rounded border border-current px-2 py-1 text-xs">
          Retry
        </button>
      )}
    </div>
  );
}

function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

/** The part of a TanStack query a view's loading and error branch reads. */
export interface QueryLike<T> {
  data: T | undefined;
  error: Error | null;
  refetch: () => unknown;
}

interface FallbackProps {
  query: QueryLike<unknown>;
  /** What failed to load, in the error ("this container"). */
  what: string;
  /** What is loading, when it reads differently ("container"); `what` otherwise. */
  loading?: string;
  /** Shown instead of the error when the API answers 404 (a page for a thing that does not exist). */
  notFound?: ReactNode;
}

/** What a view shows while its query has no data: not found (404), the error with Retry, or loading. */
export function QueryFallback({ query, what, loading = what, notFound }: FallbackProps) {
  if (notFound !== undefined && isNotFound(query.error)) return <>{notFound}</>;
  return query.error ? (
    <LoadError error={query.error} what={what} onRetry={() => void query.refetch()} />
  ) : (
    <Loading what={loading} />
  );
}

/**
 * A query's data drawn by `children`, or its fallback while there is none. Once data has arrived a failed refresh
 * keeps it on screen (the view shows a StaleNote where it wants one).
 */
export function QueryView<T>({
  query,
  children,
  ...fallback
}: Omit<FallbackProps, "query"> & { query: QueryLike<T>; children: (data: T) => ReactNode }) {
  return query.data === undefined ? <QueryFallback query={query} {...fallback} /> : <>{children(query.data)}</>;
}

/** A refresh failed but older data is still on screen: say so without hiding the data. */
export function StaleNote({ error }: { error: Error | null }) {
  if (!error) return null;
  return (
    <p role="status" className="mb-2 text-xs text-amber-700 dark:text-amber-300">
      Refresh failed ({error.message}); showing the last data received.
    </p>
  );
}
