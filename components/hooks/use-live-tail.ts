"use client";
import { useState } from "react";

const EMPTY: readonly never[] = [];

/**
 * Points gathered from live SSE snapshots while a detail page is open (the cache holds only the
 * latest snapshot). `advance` returns its input unchanged when the snapshot brings nothing new.
 * State is adjusted during render (React's pattern for deriving from changing props), so no effect
 * and no extra commit; a new key (another container or queue) starts a fresh tail.
 */
export function useLiveTail<P>(key: string, advance: (tail: readonly P[]) => readonly P[]): readonly P[] {
  const [state, setState] = useState<{ key: string; points: readonly P[] }>({ key, points: EMPTY });
  const next = advance(state.key === key ? state.points : EMPTY);
  if (state.key !== key || next !== state.points) setState({ key, points: next });
  return next;
}
