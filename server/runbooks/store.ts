import "server-only";
import { randomUUID } from "node:crypto";
import type { Selectable } from "kysely";
import { getDb } from "@/server/db";
import type { RunbookRunsTable } from "@/server/db/schema";
import type { EntryKind, RunbookEntry, RunbookKind, RunbookRun, RunbookTarget, StepId, VerifyState } from "./types";

// Runbook runs and their timelines in the console's database: every instance and every browser sees the same run.

function toRun(r: Selectable<RunbookRunsTable>): RunbookRun {
  return {
    id: r.id,
    kind: r.kind as RunbookKind,
    target: JSON.parse(r.target) as RunbookTarget,
    targetLabel: r.target_label,
    status: r.status as RunbookRun["status"],
    alertId: r.alert_id,
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    verifyMinutes: Number(r.verify_minutes),
    verifyShare: Number(r.verify_share),
    verifyState: (r.verify_state as VerifyState | null) ?? null,
  };
}

export async function getRun(id: string): Promise<RunbookRun | null> {
  const db = await getDb();
  const r = await db.selectFrom("runbook_runs").selectAll().where("id", "=", id).executeTakeFirst();
  return r ? toRun(r) : null;
}

export async function findOpenRun(kind: RunbookKind, targetLabel: string): Promise<RunbookRun | null> {
  const db = await getDb();
  const r = await db
    .selectFrom("runbook_runs")
    .selectAll()
    .where("kind", "=", kind)
    .where("target_label", "=", targetLabel)
    .where("status", "=", "open")
    .orderBy("created_at", "desc")
    .executeTakeFirst();
  return r ? toRun(r) : null;
}

export async function listRuns(limit = 100): Promise<RunbookRun[]> {
  const db = await getDb();
  return (await db.selectFrom("runbook_runs").selectAll().orderBy("updated_at", "desc").limit(limit).execute()).map(
    toRun,
  );
}

export async function openRuns(): Promise<RunbookRun[]> {
  const db = await getDb();
  return (await db.selectFrom("runbook_runs").selectAll().where("status", "=", "open").execute()).map(toRun);
}

export async function insertRun(run: RunbookRun): Promise<void> {
  const db = await getDb();
  await db
    .insertInto("runbook_runs")
    .values({
      id: run.id,
      kind: run.kind,
      target: JSON.stringify(run.target),
      target_label: run.targetLabel,
      status: run.status,
      alert_id: run.alertId,
      created_by: run.createdBy,
      created_at: run.createdAt,
      updated_at: run.updatedAt,
      verify_minutes: run.verifyMinutes,
      verify_share: run.verifyShare,
      verify_state: null,
    })
    .execute();
}

export async function updateRun(
  id: string,
  patch: Partial<Pick<RunbookRun, "status" | "verifyMinutes" | "verifyShare" | "verifyState">>,
  now: number,
): Promise<void> {
  const db = await getDb();
  await db
    .updateTable("runbook_runs")
    .set({
      updated_at: now,
      ...(patch.status ? { status: patch.status } : {}),
      ...(patch.verifyMinutes !== undefined ? { verify_minutes: patch.verifyMinutes } : {}),
      ...(patch.verifyShare !== undefined ? { verify_share: patch.verifyShare } : {}),
      ...(patch.verifyState !== undefined ? { verify_state: patch.verifyState } : {}),
    })
    .where("id", "=", id)
    .execute();
}

export async function addEntry(
  runId: string,
  actor: string,
  kind: EntryKind,
  step: StepId | null,
  detail: Record<string, unknown>,
  now: number,
): Promise<RunbookEntry> {
  const db = await getDb();
  const e: RunbookEntry = { id: randomUUID(), ts: now, actor, kind, step, detail };
  await db
    .insertInto("runbook_entries")
    .values({ id: e.id, run_id: runId, ts: now, actor, kind, step, detail: JSON.stringify(detail) })
    .execute();
  await db.updateTable("runbook_runs").set({ updated_at: now }).where("id", "=", runId).execute();
  return e;
}

export async function listEntries(runId: string): Promise<RunbookEntry[]> {
  const db = await getDb();
  const rows = await db
    .selectFrom("runbook_entries")
    .selectAll()
    .where("run_id", "=", runId)
    .orderBy("ts")
    .orderBy("id")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    ts: Number(r.ts),
    actor: r.actor,
    kind: r.kind as EntryKind,
    step: r.step as StepId | null,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
  }));
}

/** The runs whose timeline recorded this audited action. */
export async function runsWithAction(auditId: string): Promise<string[]> {
  const db = await getDb();
  const rows = await db
    .selectFrom("runbook_entries")
    .select(["run_id", "detail"])
    .where("kind", "=", "action")
    .where("detail", "like", `%${auditId}%`)
    .execute();
  // The LIKE narrows; the parsed detail decides (the id could appear in a reason).
  const ids = rows
    .filter((r) => (JSON.parse(r.detail) as { auditId?: unknown }).auditId === auditId)
    .map((r) => r.run_id);
  return [...new Set(ids)];
}
