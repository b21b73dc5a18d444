"use client";
import { HISTORY_RANGES as RANGES, type HistoryRange } from "@/server/schemas/ranges";

// A radio group of buttons: arrow-free but tab-reachable, with the pressed state announced.
export function RangeToggle({ value, onChange }: { value: HistoryRange; onChange: (r: HistoryRange) => void }) {
  return (
    <div
      role="group"
      aria-label="History range"
      className="inline-flex overflow-hidden rounded border border-zinc-300 text-xs dark:border-zinc-700"
    >
      {RANGES.map((r) => (
        <button
          key={r}
          type="button"
          aria-pressed={value === r}
          data-testid={`range-${r}`}
          onClick={() => onChange(r)}
          className={`px-2.5 py-1 tabular-nums ${value === r ? "bg-zinc-800 text-white dark:bg-zinc-200 dark:text-zinc-900" : "hover:bg-zinc-100 dark:hover:bg-zinc-800"}`}
        >
          {r}
        </button>
      ))}
    </div>
  );
}
