"use client";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useCanAct } from "@/components/shell/session-context";
import { sendJson } from "@/lib/api";
import type { StepId, StepProgress } from "@/server/schemas/runbooks";
import { fmtClock } from "@/lib/format";

const TITLES: Record<StepId, string> = {
  detect: "Detect",
  diagnose: "Diagnose",
  mitigate: "Mitigate",
  verify: "Verify",
  record: "Record",
};

// One step of a run: its content, and who marked it done (stored, and shown live in every open browser).
export function StepCard({
  runId,
  n,
  progress,
  children,
}: {
  runId: string;
  n: number;
  progress: StepProgress;
  children: React.ReactNode;
}) {
  const canAct = useCanAct();
  const qc = useQueryClient();
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function toggle() {
    setBusy(true);
    setError(null);
    try {
      await sendJson(`/api/runbooks/${runId}/steps`, {
        step: progress.step,
        done: !progress.done,
        ...(note.trim() ? { note: note.trim() } : {}),
      });
      setNote("");
      await qc.invalidateQueries({ queryKey: ["runbook", runId] });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section
      data-testid={`step-${progress.step}`}
      data-done={progress.done}
      className="min-w-0 rounded-lg border border-zinc-200 bg-zinc-50/60 p-3 md:p-4 dark:border-zinc-800 dark:bg-zinc-900/40"
    >
      <div className="mb-3 flex flex-wrap items-center gap-3">
        <h2 className="text-base font-semibold">
          {n}. {TITLES[progress.step]}
        </h2>
        <span
          data-testid={`step-${progress.step}-status`}
          className={`text-xs ${progress.done ? "text-emerald-600 dark:text-emerald-400" : "text-zinc-500"}`}
        >
          {progress.done
            ? `✓ done by ${progress.by} at ${fmtClock(progress.at!)}`
            : progress.by
              ? `reopened by ${progress.by}`
              : "open"}
          {progress.note ? ` — ${progress.note}` : ""}
        </span>
        {canAct && (
          <span className="ml-auto flex items-center gap-2">
            <input
              value={note}
              onChange={(e) => setNote(e.target.value)}
              placeholder="note (optional)"
              aria-label={`${TITLES[progress.step]} note`}
              className="w-48 rounded border border-zinc-300 bg-white px-2 py-0.5 text-xs dark:border-zinc-700 dark:bg-zinc-950"
            />
            <button
              type="button"
              disabled={busy}
              onClick={() => void toggle()}
              data-testid={`step-${progress.step}-toggle`}
              className="rounded border border-zinc-300 px-2 py-0.5 text-xs dark:border-zinc-700"
            >
              {progress.done ? "Reopen" : "Mark done"}
            </button>
          </span>
        )}
      </div>
      {children}
      {error && (
        <p role="alert" className="mt-2 text-xs text-red-600">
          {error}
        </p>
      )}
    </section>
  );
}
