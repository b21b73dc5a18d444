"use client";
import Link from "next/link";
import { useEffect } from "react";

// Body of every console segment's error.tsx: the message, a retry, and a way back to the overview.
export function SegmentError({ error, retry, what }: { error: unknown; retry: () => void; what: string }) {
  useEffect(() => console.error(error), [error]);
  const message = error instanceof Error ? error.message : String(error);
  const digest = error instanceof Error && "digest" in error ? String((error as { digest?: string }).digest ?? "") : "";
  return (
    <div role="alert" className="max-w-xl rounded-lg border border-crit/50 bg-crit/10 p-4 text-sm">
      <h1 className="text-base font-semibold">The {what} page failed to render</h1>
      <p className="mt-1 break-words text-zinc-700 dark:text-zinc-300">{message}</p>
      {digest && <p className="mt-1 font-mono text-xs text-zinc-500">ref {digest}</p>}
      <div className="mt-3 flex gap-2">
        <button
          type="button"
          onClick={() => retry()}
          className="rounded bg-blue-600 px-3 py-1.5 text-white hover:bg-blue-500"
        >
          Try again
        </button>
        <Link href="/" className="rounded border border-zinc-300 px-3 py-1.5 dark:border-zinc-700">
          Overview
        </Link>
      </div>
    </div>
  );
}
