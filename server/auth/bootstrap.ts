import "server-only";
import { getConfig } from "@/server/config";
import { getDb } from "@/server/db";
import { log } from "@/server/log";
import { newToken, sha256 } from "./crypto";
import { countUsers, createUser } from "./users";
import { ValidationError } from "@/server/errors";

// First start: an admin from LEAKWATCH_ADMIN_PASSWORD, or a one-time setup link in the log (as Jenkins does).

const SETUP_TTL_MS = 24 * 3600_000;

export async function ensureFirstAdmin(): Promise<void> {
  if ((await countUsers()) > 0) return;
  const cfg = getConfig();
  if (cfg.adminPassword) {
    try {
      await createUser({ username: "admin", password: cfg.adminPassword, role: "admin" });
      log.info("created the admin account from LEAKWATCH_ADMIN_PASSWORD (user: admin)");
    } catch (e) {
      if (e instanceof ValidationError) throw new Error(`LEAKWATCH_ADMIN_PASSWORD: ${e.message}`);
      if ((await countUsers()) === 0) throw e; // another instance may have won the race
    }
    return;
  }
  const db = await getDb();
  const token = newToken();
  const now = Date.now();
  await db.insertInto("setup_tokens").values({ token_hash: sha256(token), created_at: now, expires_at: now + SETUP_TTL_MS, used_at: null }).execute();
  const url = `http://${cfg.listenHost}:${cfg.port}/setup?token=${token}`;
  // Printed plainly, not only as JSON, so an operator tailing the log can copy it.
  log.warn({ setupUrl: url }, "no users yet: open the one-time setup link to create the admin account");
  console.log(`\n  Leakwatch first start: create the admin account at\n  ${url}\n  (valid 24 hours, once)\n`);
}

export async function consumeSetupToken(token: string): Promise<boolean> {
  const db = await getDb();
  const now = Date.now();
  const r = await db.updateTable("setup_tokens").set({ used_at: now })
    .where("token_hash", "=", sha256(token)).where("used_at", "is", null).where("expires_at", ">", now).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
