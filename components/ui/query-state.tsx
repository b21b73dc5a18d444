"use client";
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

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
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
