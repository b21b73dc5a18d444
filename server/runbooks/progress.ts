import "server-only";
import { targetMatches, type AuditRow } from "@/server/audit/query";
import { entryChangeLabel } from "./describe";
import { STEPS, type ActionRecord, type RunbookEntry, type RunbookTarget, type StepProgress } from "./types";

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
      label: entryChangeLabel(e),
      status: String(e.detail.status),
      result: typeof e.detail.result === "string" ? e.detail.result : null,
      finding: typeof e.detail.finding === "string" ? e.detail.finding : null,
      by: e.actor,
      at: e.ts,
    }));
}

/**
 * Mitigations that count for Verify: those that ran (a failed one changed nothing). A time-box revert counts too:
 * it changed the limit, so the watch starts again from it.
 */
export function lastMitigationAt(entries: RunbookEntry[]): number | null {
  const done = actionRecords(entries).filter((a) => a.status !== "failed");
  return done.length ? Math.max(...done.map((a) => a.at)) : null;
}

/**
 * Whether an audited action was on this run's target. A container action records the name it resolved and the full
 * id (targetId); the id is what counts, because a restart, a rename or a moment without a live sample does not change
 * it. The live name (when the container is sampled now) is only a fallback for a record without an id.
 */
export function actionOnTarget(row: AuditRow, t: RunbookTarget, liveName: string | undefined): boolean {
  if ("host" in t)
    return (
      targetMatches(row, `${t.host}/${t.id}`) ||
      (row.target?.startsWith(`${t.host}/${t.id.slice(0, 12)}`) ?? false) ||
      (liveName !== undefined && row.target === `${t.host}/${liveName}`)
    );
  return row.target === `${t.broker}/${t.queue}` || (row.target?.startsWith(`${t.broker}/`) ?? false);
}
