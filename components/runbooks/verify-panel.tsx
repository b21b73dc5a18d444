"use client";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useCanAct } from "@/components/shell/session-context";
import { sendJson } from "@/lib/api";
import type { RunbookRun, VerifyStatus } from "@/server/schemas/runbooks";

const TONE: Record<string, string> = {
  pass: "border-emerald-600 text-emerald-700 dark:text-emerald-300",
  fail: "border-red-600 text-red-700 dark:text-red-300",
  waiting: "border-amber-500 text-amber-700 dark:text-amber-300",
  "no-action": "border-zinc-400 text-zinc-500",
};

// Verify: pass or fail against the stated criterion, recomputed from stored samples after the last mitigation.
export function VerifyPanel({ run, verify, chart }: { run: RunbookRun; verify: VerifyStatus; chart: React.ReactNode }) {
  const canAct = useCanAct();
  const qc = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  async function save(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    try {
      await sendJson(
        `/api/runbooks/${run.id}`,
        {
          verifyMinutes: Number(f.get("minutes")),
          ...(run.kind === "thread-leak" ? { verifyShare: Number(f.get("share")) } : {}),
        },
        "PATCH",
      );
      await qc.invalidateQueries({ queryKey: ["runbook", run.id] });
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  }
  return (
    <div className="space-y-3 text-sm">
      <div
        className={`rounded border-l-4 p-2 ${TONE[verify.state] ?? ""}`}
        data-testid="verify-state"
        data-state={verify.state}
        role="status"
      >
        <p className="font-semibold uppercase">
          {verify.state === "no-action" ? "waiting for a mitigation" : verify.state}
        </p>
        <p data-testid="verify-detail">{verify.detail}</p>
        <p className="text-xs text-zinc-500">Criterion: {verify.criterion}</p>
      </div>
      {canAct && (
        <form
          onSubmit={(e) => void save(e)}
          className="flex flex-wrap items-end gap-2 text-xs"
          key={`${run.verifyMinutes}-${run.verifyShare}`}
        >
          <label>
            Watch for (minutes){" "}
            <input
              name="minutes"
              type="number"
              step="any"
              min={0.1}
              max={240}
              defaultValue={run.verifyMinutes}
              className="w-20 rounded border px-1 dark:bg-zinc-950"
              data-testid="verify-minutes"
            />
          </label>
          {run.kind === "thread-leak" && (
            <label>
              Under (% of limit){" "}
              <input
                name="share"
                type="number"
                min={1}
                max={100}
                defaultValue={run.verifyShare}
                className="w-20 rounded border px-1 dark:bg-zinc-950"
                data-testid="verify-share"
              />
            </label>
          )}
          <button
            type="submit"
            className="rounded border border-zinc-300 px-2 py-0.5 dark:border-zinc-700"
            data-testid="verify-save"
          >
            Save criterion
          </button>
        </form>
      )}
      {error && (
        <p role="alert" className="text-xs text-red-600">
          {error}
        </p>
      )}
      {chart}
    </div>
  );
}
