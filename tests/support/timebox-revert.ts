// test-only: runs due time-box reverts exactly as the scheduler in server/samplers.ts does (runAction as the
// system actor, allowed in read-only mode), so a test can fire a revert without waiting for the 5 s tick.
import { runAction } from "@/server/actions/run";
import { runDueTimeboxes } from "@/server/actions/timebox";
import { getDb } from "@/server/db";

export function runDueRevertsLikeScheduler(): Promise<void> {
  return runDueTimeboxes((box) =>
    runAction(
      { action: box.action, target: box.target, params: box.revertParams, reason: `time box ${box.id} expired without confirmation (raised in ${box.auditId})` },
      { username: "system:timebox", role: "operator", ip: null },
      { systemRevert: true },
    ),
  );
}

/** Makes the time box opened by `auditId` due now (instead of waiting its 30 s or more). */
export async function makeTimeboxDue(auditId: string): Promise<{ id: string; state: string }> {
  const db = await getDb();
  await db.updateTable("timeboxes").set({ due_at: Date.now() - 1000 }).where("audit_id", "=", auditId).execute();
  return db.selectFrom("timeboxes").select(["id", "state"]).where("audit_id", "=", auditId).executeTakeFirstOrThrow();
}

export async function timeboxState(auditId: string): Promise<string | undefined> {
  const db = await getDb();
  return (await db.selectFrom("timeboxes").select("state").where("audit_id", "=", auditId).executeTakeFirst())?.state;
}
