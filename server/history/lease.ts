import "server-only";
import { getDb } from "@/server/db";

// Several console instances may share one PostgreSQL database. Each samples for its own live view, but only
// the holder of the "history" lease writes history rows, so nothing is written twice.

export async function tryLease(name: string, holder: string, ttlMs: number): Promise<boolean> {
  const db = await getDb();
  const now = Date.now();
  // Take it when free or expired, renew it when ours. One statement each, so two instances can't both win.
  const renewed = await db
    .updateTable("leases")
    .set({ holder, expires_at: now + ttlMs })
    .where("name", "=", name)
    .where((eb) => eb.or([eb("holder", "=", holder), eb("expires_at", "<", now)]))
    .executeTakeFirst();
  if (Number(renewed.numUpdatedRows) > 0) return true;
  try {
    await db
      .insertInto("leases")
      .values({ name, holder, expires_at: now + ttlMs })
      .execute();
    return true;
  } catch {
    return false; // another instance holds it (primary key conflict)
  }
}
