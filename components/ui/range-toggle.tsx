"use client";
import { HISTORY_RANGES as RANGES, type HistoryRange } from "@/server/schemas/ranges";

// A radio group of buttons: arrow-free but tab-reachable, with the pressed state announced.
// A page with two (the queue's depth chart, its task timings) names them apart: `label` for screen readers,
// `testIdPrefix` for tests.
export function RangeToggle({
  value,
  onChange,
  label = "History range",
  testIdPrefix = "range-",
}: {
  value: HistoryRange;
  onChange: (r: HistoryRange) => void;
  label?: string;
  testIdPrefix?: string;
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
          className={`px-2.5 py-1 tabular-nums ${value === r ? "bg-zinc-800 text-white dark:bg-zinc-200 dark:text-zinc-900" : "hover:bg-zinc-100 dark:hover:bg-zinc-800"}`}
        >
          {r}
        </button>
      ))}
    </div>
  );
}
