import "server-only";
import { z } from "zod";
import { auditEvent } from "@/server/audit/service";
import { emit } from "@/server/bus";
import { ConflictError, NotFoundError, ValidationError } from "@/server/errors";
import { getAlert, loadRules, saveRule, writeAlerts } from "./store";
import { RULE_META, type AlertRecord, type AlertRule, type RuleId } from "./types";

// People's changes to alerts and rules. Each is audited first; if the audit log refuses, nothing changes.

export interface Who {
  username: string;
  role: string;
  ip: string | null;
}

export const silenceBody = z.object({
  until: z.number().int().positive(),
  comment: z.string().trim().min(3).max(1000),
});

export const ruleBody = z.object({
  enabled: z.boolean().optional(),
  forSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 86400)
    .optional(),
  severity: z.enum(["warning", "critical"]).optional(),
  params: z.record(z.string(), z.number().nullable()).optional(),
});

async function mustGet(id: string): Promise<AlertRecord> {
  const a = await getAlert(id);
  if (!a) throw new NotFoundError(`No alert ${id}.`);
  return a;
}

async function change(
  who: Who,
  action: string,
  a: AlertRecord,
  next: AlertRecord,
  detail: string,
  params?: unknown,
): Promise<AlertRecord> {
  await auditEvent({
    kind: "alert",
    actor: who.username,
    role: who.role,
    sourceIp: who.ip,
    action,
    target: `alert ${a.id} (${a.rule} ${a.targetLabel})`,
    detail,
    params,
  });
  await writeAlerts([next], []);
  emit("alerts", { id: a.id });
  return next;
}

export async function acknowledge(id: string, who: Who, now = Date.now()): Promise<AlertRecord> {
  const a = await mustGet(id);
  if (a.state !== "firing" && a.state !== "silenced")
    throw new ConflictError(`The alert is ${a.state}; only a firing or silenced alert can be acknowledged.`);
  return change(
    who,
    "alert.acknowledge",
    a,
    { ...a, state: "acknowledged", ackedBy: who.username, ackedAt: now, silencedUntil: null, updatedAt: now },
    "acknowledged",
  );
}

export async function silence(
  id: string,
  body: z.infer<typeof silenceBody>,
  who: Who,
  now = Date.now(),
): Promise<AlertRecord> {
  const a = await mustGet(id);
  if (a.state === "resolved" || a.state === "pending")
    throw new ConflictError(`The alert is ${a.state}; there is nothing to silence.`);
  if (body.until <= now) throw new ValidationError("The silence must end in the future.");
  if (body.until > now + 30 * 86400_000) throw new ValidationError("A silence may last at most 30 days.");
  const next: AlertRecord = {
    ...a,
    state: "silenced",
    silencedUntil: body.until,
    silencedBy: who.username,
    silenceComment: body.comment,
    updatedAt: now,
  };
  return change(who, "alert.silence", a, next, body.comment, { until: new Date(body.until).toISOString() });
}

export async function unsilence(id: string, who: Who, now = Date.now()): Promise<AlertRecord> {
  const a = await mustGet(id);
  if (a.state !== "silenced") throw new ConflictError("The alert is not silenced.");
  return change(
    who,
    "alert.unsilence",
    a,
    { ...a, state: "firing", silencedUntil: null, updatedAt: now },
    "silence lifted",
  );
}

export async function updateRule(
  id: string,
  body: z.infer<typeof ruleBody>,
  who: Who,
  now = Date.now(),
): Promise<AlertRule> {
  const rules = await loadRules();
  const r = rules.find((x) => x.id === id);
  if (!r) throw new NotFoundError(`No alert rule ${id}.`);
  const meta = RULE_META[id as RuleId];
  for (const [k, v] of Object.entries(body.params ?? {})) {
    const spec = meta.params[k];
    if (!spec) throw new ValidationError(`Rule ${id} has no parameter "${k}".`);
    if (v === null ? !spec.nullable : v < spec.min || v > spec.max)
      throw new ValidationError(`${k} must be ${spec.nullable ? "empty or " : ""}between ${spec.min} and ${spec.max}.`);
  }
  const next: AlertRule = {
    ...r,
    ...body,
    params: { ...r.params, ...body.params },
    id: r.id,
    updatedAt: now,
    updatedBy: who.username,
  };
  await auditEvent({
    kind: "settings",
    actor: who.username,
    role: who.role,
    sourceIp: who.ip,
    action: "alert.rule.update",
    target: `alert rule ${id}`,
    detail: "alert rule changed",
    params: {
      before: { enabled: r.enabled, forSeconds: r.forSeconds, severity: r.severity, params: r.params },
      after: body,
    },
  });
  await saveRule(next, who.username, now);
  emit("alerts", { rule: id });
  return next;
}
