import "server-only";
import type { Selectable } from "kysely";
import { getDb } from "@/server/db";
import type { AlertDeliveriesTable, AlertsTable } from "@/server/db/schema";
import { DEFAULT_RULES, RULE_IDS, type AlertRecord, type AlertRule, type DeliveryRecord, type RuleId } from "./types";

// Rows <-> records for rules, alerts and deliveries. Rules not stored yet use their defaults.

export async function loadRules(): Promise<AlertRule[]> {
  const db = await getDb();
  const rows = new Map((await db.selectFrom("alert_rules").selectAll().execute()).map((r) => [r.id, r]));
  return RULE_IDS.map((id) => {
    const d = DEFAULT_RULES[id];
    const r = rows.get(id);
    if (!r) return { ...d, updatedAt: null, updatedBy: null };
    return {
      id,
      enabled: r.enabled === 1,
      forSeconds: r.for_seconds,
      severity: r.severity as AlertRule["severity"],
      params: { ...d.params, ...(JSON.parse(r.params) as AlertRule["params"]) },
      updatedAt: Number(r.updated_at),
      updatedBy: r.updated_by,
    };
  });
}

export async function saveRule(r: AlertRule, by: string, now: number): Promise<void> {
  const db = await getDb();
  const row = {
    enabled: r.enabled ? 1 : 0,
    for_seconds: r.forSeconds,
    severity: r.severity,
    params: JSON.stringify(r.params),
    updated_at: now,
    updated_by: by,
  };
  await db
    .insertInto("alert_rules")
    .values({ id: r.id, ...row })
    .onConflict((oc) => oc.column("id").doUpdateSet(row))
    .execute();
}

const n = (v: number | null) => (v === null ? null : Number(v));

function toAlert(r: Selectable<AlertsTable>): AlertRecord {
  return {
    id: r.id,
    fingerprint: r.fingerprint,
    rule: r.rule as RuleId,
    severity: r.severity as AlertRecord["severity"],
    target: JSON.parse(r.target) as AlertRecord["target"],
    targetLabel: r.target_label,
    summary: r.summary,
    value: r.value,
    state: r.state as AlertRecord["state"],
    pendingSince: Number(r.pending_since),
    firedAt: n(r.fired_at),
    ackedBy: r.acked_by,
    ackedAt: n(r.acked_at),
    silencedUntil: n(r.silenced_until),
    silencedBy: r.silenced_by,
    silenceComment: r.silence_comment,
    resolvedAt: n(r.resolved_at),
    notifiedAt: n(r.notified_at),
    updatedAt: Number(r.updated_at),
  };
}

function fromAlert(a: AlertRecord): AlertsTable {
  return {
    id: a.id,
    fingerprint: a.fingerprint,
    rule: a.rule,
    severity: a.severity,
    target: JSON.stringify(a.target),
    target_label: a.targetLabel,
    summary: a.summary,
    value: a.value,
    state: a.state,
    pending_since: a.pendingSince,
    fired_at: a.firedAt,
    acked_by: a.ackedBy,
    acked_at: a.ackedAt,
    silenced_until: a.silencedUntil,
    silenced_by: a.silencedBy,
    silence_comment: a.silenceComment,
    resolved_at: a.resolvedAt,
    notified_at: a.notifiedAt,
    updated_at: a.updatedAt,
  };
}

export async function activeAlerts(): Promise<AlertRecord[]> {
  const db = await getDb();
  return (await db.selectFrom("alerts").selectAll().where("state", "!=", "resolved").execute()).map(toAlert);
}

/** Active alerts (not pending) plus those resolved in the last day, newest first. */
export async function listAlerts(now = Date.now()): Promise<AlertRecord[]> {
  const db = await getDb();
  const rows = await db
    .selectFrom("alerts")
    .selectAll()
    .where((eb) =>
      eb.and([
        eb("state", "!=", "pending"),
        eb.or([eb("state", "!=", "resolved"), eb("resolved_at", ">=", now - 86_400_000)]),
      ]),
    )
    .orderBy("updated_at", "desc")
    .limit(500)
    .execute();
  return rows.map(toAlert);
}

export async function getAlert(id: string): Promise<AlertRecord | null> {
  const db = await getDb();
  const r = await db.selectFrom("alerts").selectAll().where("id", "=", id).executeTakeFirst();
  return r ? toAlert(r) : null;
}

export async function writeAlerts(upsert: AlertRecord[], remove: string[]): Promise<void> {
  if (upsert.length === 0 && remove.length === 0) return;
  const db = await getDb();
  await db.transaction().execute(async (tx) => {
    for (const a of upsert) {
      const row = fromAlert(a);
      const { id: _id, ...rest } = row;
      await tx
        .insertInto("alerts")
        .values(row)
        .onConflict((oc) => oc.column("id").doUpdateSet(rest))
        .execute();
    }
    if (remove.length) await tx.deleteFrom("alerts").where("id", "in", remove).execute();
  });
}

function toDelivery(r: Selectable<AlertDeliveriesTable>): DeliveryRecord {
  return {
    id: r.id,
    groupKey: r.group_key,
    url: r.url,
    format: r.format as DeliveryRecord["format"],
    items: JSON.parse(r.items) as DeliveryRecord["items"],
    status: r.status as DeliveryRecord["status"],
    attempts: r.attempts,
    notBefore: Number(r.not_before),
    createdAt: Number(r.created_at),
    sentAt: n(r.sent_at),
    lastError: r.last_error,
    responseStatus: r.response_status,
  };
}

export async function writeDeliveries(ds: DeliveryRecord[]): Promise<void> {
  const db = await getDb();
  for (const d of ds) {
    const row = {
      group_key: d.groupKey,
      url: d.url,
      format: d.format,
      items: JSON.stringify(d.items),
      status: d.status,
      attempts: d.attempts,
      not_before: d.notBefore,
      created_at: d.createdAt,
      sent_at: d.sentAt,
      last_error: d.lastError,
      response_status: d.responseStatus,
    };
    await db
      .insertInto("alert_deliveries")
      .values({ id: d.id, ...row })
      .onConflict((oc) => oc.column("id").doUpdateSet(row))
      .execute();
  }
}

export async function unsentDeliveries(): Promise<DeliveryRecord[]> {
  const db = await getDb();
  return (
    await db.selectFrom("alert_deliveries").selectAll().where("status", "in", ["queued", "retrying"]).execute()
  ).map(toDelivery);
}

export async function lastSentByGroup(): Promise<Map<string, number>> {
  const db = await getDb();
  const rows = await db
    .selectFrom("alert_deliveries")
    .select(["group_key", "url"])
    .select((eb) => eb.fn.max("sent_at").as("last"))
    .where("status", "=", "sent")
    .groupBy(["group_key", "url"])
    .execute();
  return new Map(rows.map((r) => [`${r.group_key}\u0000${r.url}`, Number(r.last)]));
}

export async function recentDeliveries(limit = 100): Promise<DeliveryRecord[]> {
  const db = await getDb();
  return (await db.selectFrom("alert_deliveries").selectAll().orderBy("created_at", "desc").limit(limit).execute()).map(
    toDelivery,
  );
}
