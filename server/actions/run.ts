import "server-only";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { appendAudit, auditEvent } from "@/server/audit/service";
import { roleAllows, type Role } from "@/server/auth/roles";
import { emit } from "@/server/bus";
import { getConfig } from "@/server/config";
import { ForbiddenError, NotFoundError, ReadOnlyError, ValidationError, errorMessage, AppError } from "@/server/errors";
import { log } from "@/server/log";
import { getAction } from "./registry";
import type { ActionProgress, PreviewResponse } from "@/server/schemas/actions";
import type { VerifyResult } from "./types";
import { processState } from "@/server/process-state";

// The one path by which anything changes: role, read-only switch, validation, preview, audit intent (fail closed),
// execute, verify, audit outcome. Routes, dialogs, runbooks and time-box reverts all call runAction.

export const actionRequestSchema = z.object({
  action: z.string().min(1).max(100),
  target: z.record(z.string(), z.unknown()),
  params: z.record(z.string(), z.unknown()).default({}),
  reason: z.string().trim().max(2000).optional(),
  /** For destructive actions: the target's name, typed again. */
  confirm: z.string().max(4096).optional(),
});
export type ActionRequest = z.infer<typeof actionRequestSchema>;

export interface Actor {
  username: string;
  role: Role;
  ip: string | null;
}

export interface ActionOutcome {
  auditId: string;
  status: "succeeded" | "failed" | "unverified";
  result: string | null;
  verify: VerifyResult | null;
  error?: string;
}

// On globalThis: route handlers may be separate bundles, and cancel must find the move that run started.
const running = () => processState("actions/running", () => new Map<string, AbortController>());

function resolve(req: ActionRequest, actor: Actor) {
  const def = getAction(req.action);
  if (!def) throw new NotFoundError(`Unknown action "${req.action}".`);
  if (!roleAllows(actor.role, def.role))
    throw new ForbiddenError(`${def.title} needs the ${def.role} role; you are ${actor.role}.`);
  const t = def.target.safeParse(req.target);
  if (!t.success)
    throw new ValidationError(`target: ${t.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
  const p = def.params.safeParse(req.params);
  if (!p.success)
    throw new ValidationError(
      `params: ${p.error.issues.map((i) => `${i.path.join(".") || "params"} ${i.message}`).join("; ")}`,
    );
  return { def, target: t.data, params: p.data };
}

export async function previewAction(req: ActionRequest, actor: Actor): Promise<PreviewResponse> {
  const { def, target, params } = resolve(req, actor);
  const preview = await def.preview(target, params);
  const { state: _state, ...visible } = preview;
  return {
    ...visible,
    action: def.name,
    title: def.title,
    destructive: def.destructive,
    confirmText: def.destructive ? def.targetLabel(target) : null,
  };
}

export async function runAction(
  req: ActionRequest,
  actor: Actor,
  opts: { systemRevert?: boolean } = {},
): Promise<ActionOutcome> {
  // A time-box revert restores the previous state, so it runs even when the console was switched to read-only.
  if (getConfig().readOnly && !opts.systemRevert) throw new ReadOnlyError();
  const { def, target, params } = resolve(req, actor);
  if (!req.reason) throw new ValidationError("A reason (free text or ticket id) is required.");
  if (def.destructive && req.confirm !== def.targetLabel(target))
    throw new ValidationError(`Type the target's name (${def.targetLabel(target)}) to confirm.`);
  const preview = await def.preview(target, params);
  if (preview.blockers.length > 0)
    throw new AppError("conflict", `Refused: ${preview.blockers.join("; ")}`, 409, { blockers: preview.blockers });

  const auditId = randomUUID();
  const { state: _state, ...recordedPreview } = preview;
  // Intent first, on disk: if it can't be written, AuditUnavailableError propagates and nothing runs.
  const audited = def.auditTarget ? await def.auditTarget(target) : { target: def.targetLabel(target), targetId: null };
  await appendAudit({
    id: auditId,
    kind: "intent",
    actor: actor.username,
    role: actor.role,
    sourceIp: actor.ip,
    action: def.name,
    target: audited.target,
    targetId: audited.targetId,
    params,
    reason: req.reason,
    preview: recordedPreview,
  });

  const controller = new AbortController();
  running().set(auditId, controller);
  const started = Date.now();
  let outcome: ActionOutcome;
  let before: unknown, after: unknown;
  try {
    const exec = await def.execute(target, params, preview, {
      actor: actor.username,
      role: actor.role,
      auditId,
      reason: req.reason,
      signal: controller.signal,
      progress: (done, total, note) =>
        emit("progress", {
          auditId,
          action: def.name,
          actor: actor.username,
          done,
          total,
          note: note ?? null,
        } satisfies ActionProgress),
    });
    before = exec.before;
    after = exec.after;
    let verify: VerifyResult;
    try {
      verify = await def.verify(target, params, preview, exec);
    } catch (e) {
      verify = { ok: false, finding: `could not verify: ${errorMessage(e)}` };
    }
    outcome = { auditId, status: verify.ok ? "succeeded" : "unverified", result: exec.result, verify };
  } catch (e) {
    // A source that dropped mid-action leaves the outcome unknown; say so rather than claim a failure.
    // By code, not class: a client cached on globalThis may throw from another copy of server/errors.ts.
    const unknown = (e as { code?: unknown } | null)?.code === "source_unavailable";
    outcome = {
      auditId,
      status: "failed",
      result: unknown ? "outcome unknown: the source went away mid-action" : null,
      verify: null,
      error: errorMessage(e),
    };
  } finally {
    running().delete(auditId);
  }
  try {
    await appendAudit({
      id: auditId,
      kind: "outcome",
      actor: actor.username,
      role: actor.role,
      sourceIp: actor.ip,
      action: def.name,
      target: audited.target,
      targetId: audited.targetId,
      result: outcome.status,
      before,
      after,
      verify: outcome.verify,
      durationMs: Date.now() - started,
      error: outcome.error ?? null,
    });
  } catch (e) {
    log.error({ err: e, auditId }, "audit: could not record an outcome; it will show as outcome unknown");
  }
  emit("audit", { auditId, action: def.name, status: outcome.status });
  emit("invalidate", ["audit"]);
  return outcome;
}

/** Cancels a long action (a queue move) between batches. */
/** An operator's cancel of a running action: audited first (who asked, from where), then the action is aborted. */
export async function requestCancel(
  auditId: string,
  by: { username: string; role: Role; ip: string | null },
): Promise<void> {
  await auditEvent({
    kind: "action-cancel",
    actor: by.username,
    role: by.role,
    sourceIp: by.ip,
    action: "cancel",
    target: auditId,
    detail: null,
  });
  if (!cancelAction(auditId)) throw new NotFoundError(`No running action ${auditId} (finished already?).`);
}

function cancelAction(auditId: string): boolean {
  const c = running().get(auditId);
  if (!c) return false;
  c.abort();
  return true;
}
