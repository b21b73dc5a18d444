"use client";
import { useSearchParams } from "next/navigation";
import { useCallback, useMemo, useState } from "react";
import { DEFAULT_RANGE, instantParam, parseChartRange, type ChartRange } from "@/server/schemas/ranges";
import { nextSort, parseSort, searchWith, sortParam, type SortableColumn, type SortState } from "./table-sort";

/**
 * Writes some query params in place (no navigation, no history entry), keeping the others: a filtered, sorted view
 * is a link that can be shared and survives a reload. Next's useSearchParams follows replaceState.
 */
export function replaceSearch(patch: Record<string, string | null>): void {
  const next = searchWith(window.location.search, patch);
  window.history.replaceState(null, "", `${window.location.pathname}${next}${window.location.hash}`);
}

/**
 * A chart's history range kept in the URL: ?range=24h for a preset (1h, the default, is left out), ?from=&to= (ISO,
 * UTC) for a custom window. A malformed or expired window in a hand-edited or old link shows the 1h default and says
 * why (`error`), rather than failing the page.
 */
export function useUrlRange(): { range: ChartRange; error: string | null; setRange: (r: ChartRange) => void } {
  const params = useSearchParams();
  // The clock as the page opened: enough to tell a window older than the stored history (a window set later may end
  // after it, so the future is not checked here; the form and the API check it with the clock of the moment).
  const [openedAt] = useState(() => Date.now());
  const from = params.get("from");
  const to = params.get("to");
  const preset = params.get("range");
  const parsed = useMemo(() => {
    const get = (k: string) => (k === "from" ? from : k === "to" ? to : k === "range" ? preset : null);
    return parseChartRange({ get }, openedAt, Infinity);
  }, [from, to, preset, openedAt]);
  const setRange = useCallback(
    (r: ChartRange) =>
      replaceSearch(
        r.kind === "preset"
          ? { range: r.range === "1h" ? null : r.range, from: null, to: null }
          : { range: null, from: instantParam(r.fromMs), to: instantParam(r.toMs) },
      ),
    [],
  );
  return parsed.ok
    ? { range: parsed.range, error: null, setRange }
    : { range: DEFAULT_RANGE, error: parsed.error, setRange };
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
