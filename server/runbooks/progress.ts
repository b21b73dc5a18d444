import "server-only";
import { STEPS, type ActionRecord, type RunbookEntry, type StepProgress } from "./types";

// Pure: the run's progress is derived from its timeline, so who did what is never lost by an overwrite.

export function stepProgress(entries: RunbookEntry[]): StepProgress[] {
  return STEPS.map((step) => {
    const last = [...entries].reverse().find((e) => e.kind === "step" && e.step === step);
    if (!last) return { step, done: false, by: null, at: null, note: null };
    return {
      step,
      done: last.detail.done === true,
      by: last.actor,
      at: last.ts,
      note: typeof last.detail.note === "string" ? last.detail.note : null,
    };
  });
}

export function actionRecords(entries: RunbookEntry[]): ActionRecord[] {
  return entries
    .filter((e) => e.kind === "action")
    .map((e) => ({
      auditId: String(e.detail.auditId),
      action: String(e.detail.action),
      status: String(e.detail.status),
      result: typeof e.detail.result === "string" ? e.detail.result : null,
      finding: typeof e.detail.finding === "string" ? e.detail.finding : null,
      by: e.actor,
      at: e.ts,
    }));
}

/** Mitigations that count for Verify: those that ran (a failed one changed nothing). */
export function lastMitigationAt(entries: RunbookEntry[]): number | null {
  const done = actionRecords(entries).filter((a) => a.status !== "failed");
  return done.length ? Math.max(...done.map((a) => a.at)) : null;
}
