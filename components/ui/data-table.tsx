"use client";
import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useMemo, useRef, useSyncExternalStore } from "react";
import { fmtInt } from "@/lib/format";
import { ariaSort, sortRows, type SortableColumn, type SortState } from "./table-sort";

export interface Column<T> extends SortableColumn<T> {
  key: string;
  header: React.ReactNode;
  /** Fixed width in px: the table uses a fixed layout so virtualized rows never shift columns. */
  width: number;
  align?: "left" | "right" | "center";
  cell: (row: T) => React.ReactNode;
  /** Accessible header text when `header` is not plain text. */
  title?: string;
  /** Long values (log lines, task names) wrap within the column instead of being cut with an ellipsis. */
  wrap?: boolean;
}

interface Props<T> {
  rows: readonly T[];
  columns: readonly Column<T>[];
  rowKey: (row: T) => string;
  rowTestId?: (row: T) => string;
  /** data-* attributes of a row and of its phone card (keys without the "data-" prefix), for tests and scripts. */
  rowData?: (row: T) => Record<string, string>;
  rowClassName?: (row: T) => string;
  caption: string;
  /** data-testid of the table (and, with "-cards" appended, of the phone cards' list). */
  testId?: string;
  empty?: React.ReactNode;
  /** Virtualize above this many rows; below it every row is in the DOM (find-in-page works). */
  virtualizeAbove?: number;
  rowHeightPx?: number;
  /** The scroll box's height cap; by default only a virtualized table has one (70vh). */
  maxHeightClass?: string;
  /** On phones (below md) each row becomes this card instead of a table row, so no column is cut off. */
  card?: (row: T) => React.ReactNode;
  cardTestId?: (row: T) => string;
  /** The chosen column sort (null: the rows' own order); with `onSort`, sortable headers become buttons. */
  sort?: SortState | null;
  onSort?: (key: string) => void;
}

// Tailwind's `md` breakpoint, where the cards give way to the table.
const WIDE = "(min-width: 48rem)";
function subscribeWide(onChange: () => void): () => void {
  const mq = window.matchMedia(WIDE);
  mq.addEventListener("change", onChange);
  return () => mq.removeEventListener("change", onChange);
}
const isWide = () => window.matchMedia(WIDE).matches;
const unknownWidth = () => null;

const ALIGN = { left: "text-left", right: "text-right tabular-nums", center: "text-center" } as const;

// One table for fleet, queues and workers: horizontal scroll inside its own box (never the page),
// sticky header, and windowed rows for large fleets (1,000 containers stay smooth).
export function DataTable<T>({
  rows: unsorted,
  columns,
  rowKey,
  rowTestId,
  rowData,
  rowClassName,
  caption,
  testId,
  empty,
  virtualizeAbove = 200,
  rowHeightPx = 40,
  maxHeightClass,
  card,
  cardTestId,
  sort = null,
  onSort,
}: Props<T>) {
  const rows = useMemo(() => sortRows(unsorted, columns, sort), [unsorted, columns, sort]);
  // With phone cards, only the form the viewport shows is rendered (CSS still hides the other, and both are
  // rendered until the viewport is known, as on the server): the 100 hidden cards of a desktop fleet table were
  // re-rendered on every live update.
  const wide = useSyncExternalStore(subscribeWide, isWide, unknownWidth);
  // A table without its own card gets one built from its columns: on a phone nothing scrolls sideways.
  const phoneCard = useMemo(() => card ?? columnsCard(columns), [card, columns]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtual = rows.length > virtualizeAbove;
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render by design
  const v = useVirtualizer({
    count: virtual ? rows.length : 0,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeightPx,
    // Rows beyond the box on each side. Every scrolled frame restyles and re-lays out the rows in the window (the
    // spacer rows change height), so each overscan row costs every frame: 5 keeps a fling covered (the window is
    // re-rendered inside the scroll event) at 25 rows in the DOM instead of 39.
    overscan: 5,
    // A first window before the scroll box is measured, so the first paint already shows rows.
    initialRect: { width: 1280, height: 720 },
  });
  const items = virtual ? v.getVirtualItems() : [];
  const padTop = virtual && items.length > 0 ? items[0]!.start : 0;
  const padBottom = virtual && items.length > 0 ? v.getTotalSize() - items[items.length - 1]!.end : 0;
  const visible = virtual
    ? items.map((it) => ({ row: rows[it.index]!, index: it.index }))
    : rows.map((row, index) => ({ row, index }));
  const totalWidth = columns.reduce((s, c) => s + c.width, 0);
  const boxHeight = maxHeightClass ?? (virtual ? "max-h-[70vh]" : "");

  const table = (
    // `contain: content` keeps the relayout of a scrolled window inside this box instead of the whole page.
    <div
      ref={scrollRef}
      style={virtual ? { contain: "content" } : undefined}
      className={`overflow-auto rounded-md border border-zinc-200 dark:border-zinc-800 ${boxHeight} hidden md:block`}
    >
      <table
        className="table-fixed border-collapse text-sm"
        style={{ width: totalWidth, minWidth: "100%" }}
        aria-rowcount={rows.length + 1}
        data-testid={testId}
      >
        <caption className="sr-only">{caption}</caption>
        <colgroup>
          {columns.map((c) => (
            <col key={c.key} style={{ width: c.width }} />
          ))}
        </colgroup>
        <TableHead columns={columns as readonly Column<unknown>[]} sort={sort} onSort={onSort} />
        <tbody>
          {padTop > 0 && <tr aria-hidden style={{ height: padTop }} />}
          {visible.map(({ row, index }) => (
            <Row
              key={rowKey(row)}
              row={row}
              columns={columns as readonly Column<unknown>[]}
              index={index}
              testId={rowTestId?.(row)}
              data={rowData?.(row)}
              className={rowClassName?.(row)}
              heightPx={virtual ? rowHeightPx : undefined}
            />
          ))}
          {padBottom > 0 && <tr aria-hidden style={{ height: padBottom }} />}
          {rows.length === 0 && (
            <tr>
              {/* Left-aligned: a wide table's centre can be outside its scroll box. */}
              <td colSpan={columns.length} className="px-2 py-6 text-left text-zinc-500">
                {empty ?? "Nothing to show."}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
  return (
    <>
      {wide !== true && (
        <Cards
          rows={rows as readonly unknown[]}
          card={phoneCard as (row: unknown) => React.ReactNode}
          rowKey={rowKey as (row: unknown) => string}
          cardTestId={cardTestId as ((row: unknown) => string) | undefined}
          rowData={rowData as ((row: unknown) => Record<string, string>) | undefined}
          testId={testId && `${testId}-cards`}
          rowClassName={rowClassName as ((row: unknown) => string) | undefined}
          caption={caption}
          empty={empty}
          limit={virtualizeAbove}
        />
      )}
      {wide !== false && table}
    </>
  );
}

// The header and the phone cards are their own memoized components: the virtualizer re-renders DataTable on every
// scroll event, and neither depends on the scroll position. Before, each scrolled frame re-rendered every header
// button and the (hidden on desktop) 100 phone cards.
const TableHead = memo(function TableHead({
  columns,
  sort,
  onSort,
}: {
  columns: readonly Column<unknown>[];
  sort: SortState | null;
  onSort?: (key: string) => void;
}) {
  return (
    <thead className="sticky top-0 z-10 bg-zinc-100 text-xs text-zinc-600 dark:bg-zinc-900 dark:text-zinc-400">
      <tr>
        {columns.map((c) => {
          const sortable = Boolean(onSort && c.sortValue);
          return (
            <th
              key={c.key}
              scope="col"
              title={c.title}
              aria-sort={sortable ? ariaSort(sort, c.key) : undefined}
              className={`px-2 py-2 font-medium whitespace-nowrap ${ALIGN[c.align ?? "left"]}`}
            >
              {sortable ? <SortButton column={c} sort={sort} onSort={onSort!} /> : c.header}
            </th>
          );
        })}
      </tr>
    </thead>
  );
});

interface CardsProps {
  rows: readonly unknown[];
  card: (row: unknown) => React.ReactNode;
  rowKey: (row: unknown) => string;
  cardTestId?: (row: unknown) => string;
  rowData?: (row: unknown) => Record<string, string>;
  testId?: string;
  rowClassName?: (row: unknown) => string;
  caption: string;
  empty?: React.ReactNode;
  limit: number;
}

const Cards = memo(function Cards({
  rows,
  card,
  rowKey,
  cardTestId,
  rowData,
  testId,
  rowClassName,
  caption,
  empty,
  limit,
}: CardsProps) {
  // Cards are not windowed: a phone gets the first rows (the views sort worst first) and a note to filter for more.
  const shown = rows.slice(0, limit);
  return (
    <ul className="space-y-2 md:hidden" aria-label={caption} data-testid={testId}>
      {shown.map((row) => (
        <li
          key={rowKey(row)}
          {...dataAttributes(rowData?.(row))}
          data-testid={cardTestId?.(row)}
          className={`rounded-md border border-zinc-200 p-2 text-sm dark:border-zinc-800 ${rowClassName?.(row) ?? ""}`}
        >
          {card(row)}
        </li>
      ))}
      {rows.length === 0 && <li className="py-4 text-center text-sm text-zinc-500">{empty ?? "Nothing to show."}</li>}
      {rows.length > shown.length && (
        <li className="text-xs text-zinc-500">
          Showing the first {fmtInt(shown.length)} of {fmtInt(rows.length)}; filter to find the others.
        </li>
      )}
    </ul>
  );
});

const ARROW = { ascending: "▲", descending: "▼", none: "" } as const;

/** A sortable header: the whole label is the button; the arrow shows the direction (aria-sort on the th says it). */
function SortButton<T>({
  column,
  sort,
  onSort,
}: {
  column: Column<T>;
  sort: SortState | null;
  onSort: (key: string) => void;
}) {
  const state = ariaSort(sort, column.key);
  return (
    <button
      type="button"
      onClick={() => onSort(column.key)}
      data-testid={`sort-${column.key}`}
      className={`inline-flex items-center gap-0.5 font-medium hover:text-zinc-900 dark:hover:text-zinc-100 ${column.align === "right" ? "flex-row-reverse" : ""}`}
    >
      {column.header}
      <span aria-hidden className="inline-block w-2.5 text-[10px]">
        {ARROW[state]}
      </span>
    </button>
  );
}

/** The phone card of a table that did not give its own: each column as a labelled value, long values wrapped. */
function columnsCard<T>(columns: readonly Column<T>[]): (row: T) => React.ReactNode {
  function ColumnsCard(row: T) {
    return (
      <div className="[overflow-wrap:anywhere]">
        <CardFields columns={3}>
          {columns.map((c) => (
            <CardField key={c.key} label={c.title ?? (typeof c.header === "string" ? c.header : c.key)}>
              {c.cell(row)}
            </CardField>
          ))}
        </CardFields>
      </div>
    );
  }
  return ColumnsCard;
}

/** A cell's text, cut with an ellipsis when the column is too narrow and whole on hover; `mono` for ids, commands
 *  and names a system gave (audit ids, exception types, targets). */
export function CellText({
  value,
  mono = false,
  className = "",
}: {
  value: string;
  mono?: boolean;
  className?: string;
}) {
  return (
    <span className={`${mono ? "font-mono text-xs" : ""} ${className}`} title={value}>
      {value}
    </span>
  );
}

/** One labelled value on a phone card; `span` gives long values (ETA text, priority chips) more of the line. */
export function CardField({ label, span, children }: { label: string; span?: 2 | "full"; children: React.ReactNode }) {
  return (
    <div className={`min-w-0 ${span === "full" ? "col-span-full" : span === 2 ? "col-span-2" : ""}`}>
      <dt className="text-zinc-500">{label}</dt>
      <dd className="tabular-nums">{children}</dd>
    </div>
  );
}

/** The labelled values of a phone card, three or four to a line. */
export function CardFields({ columns = 3, children }: { columns?: 3 | 4; children: React.ReactNode }) {
  return (
    <dl className={`mt-1 grid gap-x-3 gap-y-1 text-xs ${columns === 4 ? "grid-cols-4" : "grid-cols-3"}`}>{children}</dl>
  );
}

interface RowProps {
  row: unknown;
  columns: readonly Column<unknown>[];
  index: number;
  testId?: string;
  data?: Record<string, string>;
  className?: string;
  heightPx?: number;
}

// Memoized: while scrolling, rows that stay in the window (same data object, same columns) don't re-render;
// only rows entering it do. A new snapshot replaces the row objects, so live updates still redraw them.
const Row = memo(function Row({ row, columns, index, testId, data, className, heightPx }: RowProps) {
  return (
    <tr
      {...dataAttributes(data)}
      data-testid={testId}
      aria-rowindex={index + 2}
      style={heightPx ? { height: heightPx } : undefined}
      className={`border-t border-zinc-200 hover:bg-zinc-50 dark:border-zinc-800 dark:hover:bg-zinc-900/60 ${className ?? ""}`}
    >
      {columns.map((c) => (
        <td
          key={c.key}
          className={`px-2 py-1.5 ${c.wrap ? "align-top [overflow-wrap:anywhere]" : "truncate whitespace-nowrap"} ${ALIGN[c.align ?? "left"]}`}
        >
          {c.cell(row)}
        </td>
      ))}
    </tr>
  );
});

/** { "audit-id": "x" } as { "data-audit-id": "x" }, to spread onto an element. */
function dataAttributes(data: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [`data-${k}`, v]));
}
