"use client";
import { useSearchParams } from "next/navigation";
import { useCallback, useMemo } from "react";
import { HISTORY_RANGES, type HistoryRange } from "@/server/schemas/ranges";
import { nextSort, parseSort, searchWith, sortParam, type SortableColumn, type SortState } from "./table-sort";

/**
 * Writes some query params in place (no navigation, no history entry), keeping the others: a filtered, sorted view
 * is a link that can be shared and survives a reload. Next's useSearchParams follows replaceState.
 */
export function replaceSearch(patch: Record<string, string | null>): void {
  const next = searchWith(window.location.search, patch);
  window.history.replaceState(null, "", `${window.location.pathname}${next}${window.location.hash}`);
}

/** A chart's history range kept in ?range= (1h, the default, is left out of the URL). */
export function useUrlRange(): [HistoryRange, (r: HistoryRange) => void] {
  const raw = useSearchParams().get("range");
  const range = HISTORY_RANGES.find((r) => r === raw) ?? "1h";
  const setRange = useCallback((r: HistoryRange) => replaceSearch({ range: r === "1h" ? null : r }), []);
  return [range, setRange];
}

/** A table's sort kept in ?sort=; `onSort` is what a header click does. */
export function useUrlSort<T>(columns: readonly SortableColumn<T>[]): {
  sort: SortState | null;
  onSort: (key: string) => void;
} {
  const params = useSearchParams();
  const keys = useMemo(() => columns.filter((c) => c.sortValue).map((c) => c.key), [columns]);
  const sort = parseSort(params.get("sort"), keys);
  const onSort = useCallback(
    (key: string) => {
      const column = columns.find((c) => c.key === key);
      if (column) replaceSearch({ sort: sortParam(nextSort(sort, column)) });
    },
    [columns, sort],
  );
  return { sort, onSort };
}
