// Pure: a table's column sort as it lives in the URL (?sort=depth ascending, ?sort=-depth descending). No sort
// param means the view's own order (worst first), so a shared link without one looks as it always did.

export type SortValue = number | string | null;

export interface SortState {
  key: string;
  desc: boolean;
}

export interface SortableColumn<T> {
  key: string;
  /** The value the column sorts by; a column without one is not sortable. */
  sortValue?: (row: T) => SortValue;
  /** The first click's direction: "desc" for quantities (biggest first), "asc" for names. */
  sortFirst?: "asc" | "desc";
}

/** Reads ?sort=; a key no column sorts by is ignored, not trusted. */
export function parseSort(value: string | null | undefined, sortableKeys: readonly string[]): SortState | null {
  if (!value) return null;
  const desc = value.startsWith("-");
  const key = desc ? value.slice(1) : value;
  return sortableKeys.includes(key) ? { key, desc } : null;
}

export function sortParam(sort: SortState | null): string | null {
  return sort ? `${sort.desc ? "-" : ""}${sort.key}` : null;
}

/** A header click: the column's first direction, then the other, then back to the view's own order. */
export function nextSort<T>(current: SortState | null, column: SortableColumn<T>): SortState | null {
  const firstDesc = (column.sortFirst ?? "desc") === "desc";
  if (current?.key !== column.key) return { key: column.key, desc: firstDesc };
  if (current.desc === firstDesc) return { key: column.key, desc: !firstDesc };
  return null;
}

function compareValues(a: SortValue, b: SortValue): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true, sensitivity: "base" });
}

/**
 * The rows in the chosen column's order. Empty values (null, NaN) go last in either direction, and ties keep the
 * incoming order, which is the view's worst-first order: equal depths still show the worst queue first.
 */
export function sortRows<T>(rows: readonly T[], columns: readonly SortableColumn<T>[], sort: SortState | null): T[] {
  const col = sort ? columns.find((c) => c.key === sort.key && c.sortValue) : undefined;
  if (!sort || !col) return [...rows];
  const keyed = rows.map((row, index) => ({ row, index, value: col.sortValue!(row) }));
  const empty = (v: SortValue) => v === null || (typeof v === "number" && Number.isNaN(v));
  keyed.sort((a, b) => {
    const ea = empty(a.value);
    const eb = empty(b.value);
    if (ea || eb) return ea && eb ? a.index - b.index : ea ? 1 : -1;
    const c = compareValues(a.value, b.value);
    return (sort.desc ? -c : c) || a.index - b.index;
  });
  return keyed.map((k) => k.row);
}

/** The table caption's order words: "worst first" by default, else the column and direction. */
export function sortCaption<T>(
  columns: readonly (SortableColumn<T> & { title?: string; header?: unknown })[],
  sort: SortState | null,
): string {
  const col = sort ? columns.find((c) => c.key === sort.key) : undefined;
  if (!sort || !col) return "worst first";
  const name = typeof col.header === "string" ? col.header : (col.title ?? col.key);
  return `sorted by ${name}, ${sort.desc ? "descending" : "ascending"}`;
}

export function ariaSort(sort: SortState | null, key: string): "ascending" | "descending" | "none" {
  if (sort?.key !== key) return "none";
  return sort.desc ? "descending" : "ascending";
}

/**
 * The query string with some params set or removed, the others kept: the queues filter and the sort share the URL,
 * so writing one must not drop the other. Returns "" or "?a=b".
 */
export function searchWith(search: string, patch: Record<string, string | null>): string {
  const params = new URLSearchParams(search);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || v === "") params.delete(k);
    else params.set(k, v);
  }
  const s = params.toString();
  return s ? `?${s}` : "";
}
