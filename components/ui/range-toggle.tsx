"use client";
import { HISTORY_RANGES as RANGES, type HistoryRange } from "@/server/schemas/ranges";

// A radio group of buttons: arrow-free but tab-reachable, with the pressed state announced.
// A page with two (the queue's depth chart, its task timings) names them apart: `label` for screen readers,
// `testIdPrefix` for tests. `value` null: none pressed (a custom window is shown); `children` end the group (its
// Custom button).
export function RangeToggle({
  value,
  onChange,
  label = "History range",
  testIdPrefix = "range-",
  children,
}: {
  value: HistoryRange | null;
  onChange: (r: HistoryRange) => void;
  label?: string;
  testIdPrefix?: string;
  children?: React.ReactNode;
}) {
  return (
    <div
      role="group"
      aria-label={label}
      className="inline-flex overflow-hidden rounded border border-zinc-300 text-xs dark:border-zinc-700"
    >
      {RANGES.map((r) => (
        <button
          key={r}
          type="button"
          aria-pressed={value === r}
          data-testid={`${testIdPrefix}${r}`}
          onClick={() => onChange(r)}
          className={toggleClass(value === r)}
        >
          {r}
        </button>
      ))}
      {children}
    </div>
  );
}

/** A toggle button's look, pressed or not (the Custom button of the chart range picker shares it). */
export function toggleClass(pressed: boolean): string {
  return `px-2.5 py-1 tabular-nums ${pressed ? "bg-zinc-800 text-white dark:bg-zinc-200 dark:text-zinc-900" : "hover:bg-zinc-100 dark:hover:bg-zinc-800"}`;
}
