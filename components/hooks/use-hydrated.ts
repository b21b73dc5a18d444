"use client";
import { useSyncExternalStore } from "react";

const subscribe = () => () => {};

/**
 * False while React hydrates server HTML, true afterwards. useLiveQuery builds on it so that no view renders cached
 * data on its hydrating render (the server rendered its loading state); views need not check it themselves.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}
