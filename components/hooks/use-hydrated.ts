"use client";
import { useSyncExternalStore } from "react";

const subscribe = () => () => {};

/**
 * False while React hydrates server HTML, true afterwards (useLiveQuery builds on it). The SSE stream can fill the query cache
 * before a streamed page segment hydrates; views render their loading state until hydrated so the
 * first client render matches the server's (otherwise React reports a hydration mismatch).
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}
