// test-only: fires due time-box reverts through the scheduler's own function, without waiting for its 5 s tick.
import { revertDueTimeboxes } from "@/server/actions/timebox-revert";
import { getDb } from "@/server/db";

export const runDueRevertsLikeScheduler = revertDueTimeboxes;

/** Makes the time box opened by `auditId` due now (instead of waiting its 30 s or more). */
export async function makeTimeboxDue(auditId: string): Promise<{ id: string; state: string }> {
  const db = await getDb();
  await db
    .updateTable("timeboxes")
    .set({ due_at: Date.now() - 1000 })
    .where("audit_id", "=", auditId)
    .execute();
  return db.selectFrom("timeboxes").select(["id", "state"]).where("audit_id", "=", auditId).executeTakeFirstOrThrow();
}

export async function timeboxState(auditId: string): Promise<string | undefined> {
  const db = await getDb();
  return (await db.selectFrom("timeboxes").select("state").where("audit_id", "=", auditId).executeTakeFirst())?.state;
}
