import "server-only";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { changeLabel } from "@/lib/change-label";
import { queryAudit } from "@/server/audit/access";
import type { AuditRow } from "@/server/audit/query";
import { runbookFor } from "@/server/alerts/types";
import { getAlert } from "@/server/alerts/store";
import { emit } from "@/server/bus";
import { getConfig } from "@/server/config";
import { ConflictError, NotFoundError, ValidationError } from "@/server/errors";
import { captureDiagnosis, liveContainer } from "./context";
import { containerRunLabel } from "./describe";
import { actionOnTarget, actionRecords, stepProgress } from "./progress";
import { addEntry, findOpenRun, getRun, insertRun, listEntries, runsWithAction, updateRun } from "./store";
import {
  STEPS,
  type RunbookKind,
  type RunbookResponse,
  type RunbookRun,
  type RunbookTarget,
  type StepId,
} from "./types";
import { computeVerify } from "./verify-pass";

// Runbook runs: start (or join the open run for the same target), mark steps, notes, record actions by audit id,
// settings. Every change lands in the run's timeline and is pushed to every open browser on the "runbooks" topic.

export const createBody = z.union([
  z.object({ alertId: z.string().min(1).max(64) }),
  z.object({
    kind: z.literal("thread-leak"),
    target: z.object({ host: z.string().min(1).max(64), id: z.string().min(1).max(128) }),
  }),
  z.object({
    kind: z.literal("queue-backlog"),
    target: z.object({ broker: z.string().min(1).max(64), queue: z.string().min(1).max(1024) }),
  }),
]);
export const stepBody = z.object({
  step: z.enum(STEPS as [StepId, ...StepId[]]),
  done: z.boolean(),
  note: z.string().trim().max(2000).optional(),
});
export const noteBody = z.object({
  note: z.string().trim().min(1).max(4000),
  step: z.enum(STEPS as [StepId, ...StepId[]]).optional(),
});
export const actionBody = z.object({ auditId: z.string().uuid() });
export const settingsBody = z.object({
  verifyMinutes: z.number().min(0.1).max(240).optional(),
  verifyShare: z.number().min(1).max(100).optional(),
  status: z.enum(["open", "closed"]).optional(),
});

const touched = (id: string) => emit("runbooks", { id });

async function mustGet(id: string): Promise<RunbookRun> {
  const r = await getRun(id);
  if (!r) throw new NotFoundError(`No runbook run ${id}.`);
  return r;
}

function resolveTarget(kind: RunbookKind, t: Record<string, string>): { target: RunbookTarget; label: string } {
  if (kind === "thread-leak") {
    const c = liveContainer(t.host!, t.id!);
    if (!c) throw new NotFoundError(`Container ${t.id} on ${t.host} is not running (or not sampled yet).`);
    return { target: { host: c.host, id: c.id }, label: containerRunLabel(c.host, c.name, c.id) };
  }
  if (!getConfig().brokers.some((b) => b.name === t.broker))
    throw new ValidationError(`No broker named "${t.broker}" is configured.`);
  return { target: { broker: t.broker!, queue: t.queue! }, label: `${t.broker}/${t.queue}` };
}

/** Starts a run, or returns the open one for the same target so several engineers work in one place. */
export async function startRun(
  body: z.infer<typeof createBody>,
  actor: string,
  now = Date.now(),
): Promise<{ run: RunbookRun; joined: boolean }> {
  let kind: RunbookKind,
    raw: Record<string, string>,
    alertId: string | null = null;
  if ("alertId" in body) {
    const a = await getAlert(body.alertId);
    if (!a) throw new NotFoundError(`No alert ${body.alertId}.`);
    const rb = runbookFor(a.target);
    if (!rb) throw new ValidationError(`No runbook handles ${a.rule} alerts.`);
    ({ kind, target: raw } = rb);
    alertId = a.id;
  } else {
    kind = body.kind;
    raw = body.target;
  }
  const { target, label } = resolveTarget(kind, raw);
  const open = await findOpenRun(kind, label);
  if (open) return { run: open, joined: true };
  const run: RunbookRun = {
    id: randomUUID(),
    kind,
    target,
    targetLabel: label,
    status: "open",
    alertId,
    createdBy: actor,
    createdAt: now,
    updatedAt: now,
    verifyMinutes: 2,
    verifyShare: 80,
    verifyState: null,
  };
  await insertRun(run);
  await addEntry(run.id, actor, "created", null, { kind, target: label, alertId }, now);
  touched(run.id);
  return { run, joined: false };
}

export async function runView(id: string, now = Date.now()): Promise<RunbookResponse> {
  const run = await mustGet(id);
  const entries = await listEntries(id);
  return {
    run,
    entries,
    steps: stepProgress(entries),
    actions: actionRecords(entries),
    verify: await computeVerify(run, entries, now),
  };
}

export async function markStep(
  id: string,
  body: z.infer<typeof stepBody>,
  actor: string,
  now = Date.now(),
): Promise<void> {
  const run = await mustGet(id);
  const detail: Record<string, unknown> = { done: body.done, note: body.note ?? null };
  // Marking Diagnose done freezes what was seen then: the report shows it even after a restart changed it all.
  if (body.step === "diagnose" && body.done)
    detail.capture = await captureDiagnosis(run).catch((e: Error) => ({ error: e.message }));
  await addEntry(id, actor, "step", body.step, detail, now);
  touched(id);
}

export async function addNote(
  id: string,
  body: z.infer<typeof noteBody>,
  actor: string,
  now = Date.now(),
): Promise<void> {
  await mustGet(id);
  await addEntry(id, actor, "note", body.step ?? null, { note: body.note }, now);
  touched(id);
}

/** Records an action the caller ran through the action dialog; status and result come from the audit log, not the browser. */
export async function recordAction(id: string, auditId: string, actor: string, now = Date.now()): Promise<void> {
  const run = await mustGet(id);
  const entries = await listEntries(id);
  if (actionRecords(entries).some((a) => a.auditId === auditId)) return; // a retried POST
  const page = await queryAudit({ actor, limit: 200 });
  const row = page.rows.find((r) => r.id === auditId && r.kind === "action");
  if (!row) throw new NotFoundError(`No action ${auditId} by ${actor} in the audit log.`);
  const t = run.target;
  const related = actionOnTarget(row, run.target, "host" in t ? liveContainer(t.host, t.id)?.name : undefined);
  if (!related) throw new ConflictError(`Action ${auditId} was on ${row.target}, not on this run's target.`);
  await addEntry(id, actor, "action", "mitigate", actionDetail(row), now);
  touched(id);
}

/** What an action entry keeps of its audit row; a container change keeps its params and before value for its label. */
function actionDetail(row: AuditRow): Record<string, unknown> {
  const verify = row.outcomeEntry?.verify as { finding?: string } | null | undefined;
  const change = { action: row.action, actor: row.actor, params: row.params, before: row.outcomeEntry?.before };
  return {
    auditId: row.id,
    action: row.action,
    status: row.outcome,
    result: row.outcomeEntry?.error ?? null,
    finding: verify?.finding ?? null,
    target: row.target,
    // The full host/id the audit resolved: the timeline shows the name and keeps the id for hover and copy.
    targetId: row.intent?.targetId ?? row.outcomeEntry?.targetId ?? null,
    reason: row.reason,
    ...(changeLabel(change) !== null ? { params: row.params, before: row.outcomeEntry?.before ?? null } : {}),
  };
}

/**
 * A time-box revert the scheduler ran (as system:timebox) joins the timeline of every run that recorded the raise it
 * undoes: the timeline, the actions table and the report then show the raise and its revert.
 */
export async function recordTimeboxRevert(
  raiseAuditId: string,
  revertAuditId: string,
  now = Date.now(),
): Promise<void> {
  const runIds = await runsWithAction(raiseAuditId);
  if (runIds.length === 0) return;
  const row = (await queryAudit({ id: revertAuditId, limit: 1 })).rows.find((r) => r.kind === "action");
  if (!row) return;
  for (const runId of runIds) {
    if (actionRecords(await listEntries(runId)).some((a) => a.auditId === revertAuditId)) continue;
    await addEntry(runId, row.actor, "action", "mitigate", actionDetail(row), now);
    touched(runId);
  }
}

export async function changeSettings(
  id: string,
  body: z.infer<typeof settingsBody>,
  actor: string,
  now = Date.now(),
): Promise<void> {
  const run = await mustGet(id);
  await updateRun(id, body, now);
  await addEntry(
    id,
    actor,
    body.status === "closed" ? "closed" : "settings",
    null,
    { before: { verifyMinutes: run.verifyMinutes, verifyShare: run.verifyShare, status: run.status }, after: body },
    now,
  );
  touched(id);
}
