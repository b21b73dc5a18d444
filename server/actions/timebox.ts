import "server-only";
import { randomUUID } from "node:crypto";
import { getDb } from "@/server/db";
import { errorMessage } from "@/server/errors";
import { log } from "@/server/log";

// Pending reverts live in the console's database, so a restart (or another instance) still reverts on time.
// The revert itself runs through runAction as the system actor, so it is audited like any other change.

export interface Timebox {
  id: string;
  action: string;
  target: Record<string, unknown>;
  targetLabel: string;
  revertParams: Record<string, unknown>;
  auditId: string;
  actor: string;
  createdAt: number;
  dueAt: number;
  state: string;
  /** Why a due revert is held (still pending), or how it was settled. */
  note: string | null;
}

export async function createTimebox(t: Omit<Timebox, "id" | "createdAt" | "state" | "note">): Promise<string> {
  const db = await getDb();
  const id = randomUUID();
  // One pending box per target and action: a newer raise supersedes the older one's revert.
  await db
    .updateTable("timeboxes")
    .set({ state: "superseded", settled_at: Date.now(), settle_note: `superseded by ${id}` })
    .where("action", "=", t.action)
    .where("target_label", "=", t.targetLabel)
    .where("state", "=", "pending")
    .execute();
  await db
    .insertInto("timeboxes")
    .values({
      id,
      action: t.action,
      target: JSON.stringify(t.target),
      target_label: t.targetLabel,
      revert_params: JSON.stringify(t.revertParams),
      audit_id: t.auditId,
      actor: t.actor,
      created_at: Date.now(),
      due_at: t.dueAt,
      state: "pending",
      settled_at: null,
      settle_note: null,
    })
    .execute();
  return id;
}

function toBox(r: {
  id: string;
  action: string;
  target: string;
  target_label: string;
  revert_params: string;
  audit_id: string;
  actor: string;
  created_at: number;
  due_at: number;
  state: string;
  settle_note: string | null;
}): Timebox {
  return {
    note: r.settle_note,
    id: r.id,
    action: r.action,
    target: JSON.parse(r.target),
    targetLabel: r.target_label,
    revertParams: JSON.parse(r.revert_params),
    auditId: r.audit_id,
    actor: r.actor,
    createdAt: Number(r.created_at),
    dueAt: Number(r.due_at),
    state: r.state,
  };
}

export async function pendingTimebox(action: string, targetLabel: string): Promise<Timebox | null> {
  const db = await getDb();
  const r = await db
    .selectFrom("timeboxes")
    .selectAll()
    .where("action", "=", action)
    .where("target_label", "=", targetLabel)
    .where("state", "=", "pending")
    .executeTakeFirst();
  return r ? toBox(r) : null;
}

/** The pending box of any of these target labels (a container is targeted by name or id), newest first. */
export async function pendingTimeboxFor(action: string, targetLabels: string[]): Promise<Timebox | null> {
  const db = await getDb();
  const r = await db
    .selectFrom("timeboxes")
    .selectAll()
    .where("action", "=", action)
    .where("target_label", "in", targetLabels)
    .where("state", "=", "pending")
    .orderBy("created_at", "desc")
    .executeTakeFirst();
  return r ? toBox(r) : null;
}

export async function settleTimebox(
  id: string,
  state: "confirmed" | "reverted" | "failed" | "superseded",
  note: string,
): Promise<boolean> {
  const db = await getDb();
  const r = await db
    .updateTable("timeboxes")
    .set({ state, settled_at: Date.now(), settle_note: note })
    .where("id", "=", id)
    .where("state", "=", "pending")
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

const HOLD_RETRY_MS = 60_000;

/**
 * Runs due reverts. `revert` is runAction bound to the system actor (injected to avoid an import cycle). `holdReason`
 * says why a revert must not run now (it would put the limit below the tasks running): the box stays pending, looked
 * at again a minute later, with the reason as its note for the container page to show.
 */
export async function runDueTimeboxes(
  revert: (box: Timebox) => Promise<{ status: string; error?: string }>,
  holdReason: (box: Timebox) => Promise<string | null> = async () => null,
): Promise<void> {
  const db = await getDb();
  const due = await db
    .selectFrom("timeboxes")
    .selectAll()
    .where("state", "=", "pending")
    .where("due_at", "<=", Date.now())
    .execute();
  for (const row of due) {
    const box = toBox(row);
    // Claim it first so two instances never both revert.
    const claimed = await db
      .updateTable("timeboxes")
      .set({ state: "reverting" })
      .where("id", "=", box.id)
      .where("state", "=", "pending")
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) continue;
    try {
      const hold = await holdReason(box);
      if (hold) {
        await db
          .updateTable("timeboxes")
          .set({ state: "pending", due_at: Date.now() + HOLD_RETRY_MS, settle_note: hold })
          .where("id", "=", box.id)
          .execute();
        log.warn({ timebox: box.id, hold }, "time-box revert held");
        continue;
      }
      const out = await revert(box);
      await db
        .updateTable("timeboxes")
        .set({
          state: out.status === "failed" ? "failed" : "reverted",
          settled_at: Date.now(),
          settle_note: out.error ?? out.status,
        })
        .where("id", "=", box.id)
        .execute();
    } catch (e) {
      log.error({ err: e, timebox: box.id }, "time-box revert failed");
      await db
        .updateTable("timeboxes")
        .set({ state: "failed", settled_at: Date.now(), settle_note: errorMessage(e) })
        .where("id", "=", box.id)
        .execute();
    }
  }
}
