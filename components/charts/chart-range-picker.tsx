"use client";
import { useId, useState, useSyncExternalStore } from "react";
import { RangeToggle, toggleClass } from "@/components/ui/range-toggle";
import { Time } from "@/components/ui/time";
import { checkWindow, fromLocalInput, RANGE_MS, toLocalInput, type ChartRange } from "@/server/schemas/ranges";
import { zoneName } from "./chart-parts";

const noSubscribe = () => () => {};

// A chart's range as Grafana has it: 1h / 24h / 7d trailing now, or Custom: From and To in the viewer's local time
// (the zone named), checked before the URL changes (From before To, within the stored history, not in the future).
// A refused window keeps what was typed and says why; the chart keeps its range.
export function ChartRangePicker({
  range,
  error,
  onChange,
}: {
  range: ChartRange;
  /** Why the URL's range was not used (a malformed or expired link). */
  error: string | null;
  onChange: (r: ChartRange) => void;
}) {
  // The window the form opens with: the custom one shown, else the preset's span up to now.
  const [draft, setDraft] = useState<{ fromMs: number; toMs: number } | null>(null);
  const custom = range.kind === "custom" ? range : null;
  const toggle = () => {
    const now = Date.now();
    const spanMs = range.kind === "preset" ? RANGE_MS[range.range] : RANGE_MS["1h"];
    setDraft(draft ? null : (custom ?? { fromMs: now - spanMs, toMs: now }));
  };
  return (
    <div className="flex min-w-0 flex-col items-end gap-1" data-testid="range-picker">
      <div className="flex flex-wrap items-center justify-end gap-2">
        {custom && (
          <span className="text-xs text-zinc-500 tabular-nums" data-testid="range-custom-label">
            <Time ts={custom.fromMs} /> → <Time ts={custom.toMs} />
          </span>
        )}
        <RangeToggle
          value={range.kind === "preset" ? range.range : null}
          onChange={(r) => {
            setDraft(null);
            onChange({ kind: "preset", range: r });
          }}
        >
          <button
            type="button"
            aria-pressed={custom !== null}
            aria-expanded={draft !== null}
            data-testid="range-custom"
            onClick={toggle}
            className={toggleClass(custom !== null)}
          >
            Custom
          </button>
        </RangeToggle>
      </div>
      {error && (
        <p role="alert" className="text-xs text-red-700 dark:text-red-300" data-testid="range-url-error">
          The link&apos;s range was not used ({error}) Showing the last hour.
        </p>
      )}
      {draft && (
        <CustomRangeForm
          initial={draft}
          onApply={(r) => {
            setDraft(null);
            onChange(r);
          }}
          onCancel={() => setDraft(null)}
        />
      )}
    </div>
  );
}

function CustomRangeForm({
  initial,
  onApply,
  onCancel,
}: {
  initial: { fromMs: number; toMs: number };
  onApply: (r: ChartRange) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const [from, setFrom] = useState(() => toLocalInput(initial.fromMs));
  const [to, setTo] = useState(() => toLocalInput(initial.toMs));
  const [problem, setProblem] = useState<string | null>(null);
  const zone = useSyncExternalStore(
    noSubscribe,
    () => zoneName(Intl.DateTimeFormat().resolvedOptions().timeZone, -new Date().getTimezoneOffset()),
    () => null,
  );

  const apply = (e: React.FormEvent) => {
    e.preventDefault();
    const fromMs = fromLocalInput(from);
    const toMs = fromLocalInput(to);
    if (fromMs === null || toMs === null) {
      setProblem(`${fromMs === null ? "From" : "To"} is not a date and time.`);
      return;
    }
    const error = checkWindow(fromMs, toMs, Date.now());
    if (error) {
      setProblem(error);
      return;
    }
    onApply({ kind: "custom", fromMs, toMs });
  };

  const input =
    "rounded border border-zinc-300 bg-white px-1.5 py-0.5 text-xs tabular-nums dark:border-zinc-700 dark:bg-zinc-900";
  return (
    <form
      onSubmit={apply}
      noValidate
      aria-label="Custom range"
      data-testid="range-custom-form"
      className="flex w-full max-w-md flex-wrap items-end justify-end gap-2 rounded border border-zinc-200 p-2 text-xs dark:border-zinc-800"
    >
      <label htmlFor={`${id}-from`} className="flex flex-col gap-0.5">
        From
        <input
          id={`${id}-from`}
          type="datetime-local"
          value={from}
          onChange={(e) => setFrom(e.target.value)}
          data-testid="range-from"
          className={input}
        />
      </label>
      <label htmlFor={`${id}-to`} className="flex flex-col gap-0.5">
        To
        <input
          id={`${id}-to`}
          type="datetime-local"
          value={to}
          onChange={(e) => setTo(e.target.value)}
          data-testid="range-to"
          className={input}
        />
      </label>
      <button
        type="submit"
        data-testid="range-apply"
        className="rounded bg-zinc-800 px-2 py-1 text-white dark:bg-zinc-200 dark:text-zinc-900"
      >
        Apply
      </button>
      <button
        type="button"
        onClick={onCancel}
        className="rounded border border-zinc-300 px-2 py-1 dark:border-zinc-700"
      >
        Cancel
      </button>
      <p className="w-full text-right text-zinc-500" data-testid="range-zone">
        {zone ? `Local time: ${zone}` : "\u00a0"}
      </p>
      {problem && (
        <p role="alert" className="w-full text-right text-red-700 dark:text-red-300" data-testid="range-error">
          {problem}
        </p>
      )}
    </form>
  );
}
