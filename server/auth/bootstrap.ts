import "server-only";
import { getConfig } from "@/server/config";
import { getDb } from "@/server/db";
import { log } from "@/server/log";
import { newToken, sha256 } from "./crypto";
import { countUsers, createUser } from "./users";
import { auditEvent } from "@/server/audit/service";
import { ForbiddenError, StartingError, ValidationError } from "@/server/errors";
import { createSession } from "./sessions";
import { claimAttempt, clearAttempts, setupKey, THROTTLES } from "./throttle";
import { processState } from "@/server/process-state";

// First start: an admin from LEAKWATCH_ADMIN_PASSWORD, or a one-time setup link in the log (as Jenkins does).

const SETUP_TTL_MS = 24 * 3600_000;

const accounts = () => processState("auth/accounts-ready", () => ({ ready: undefined as Promise<void> | undefined }));

/** Start-up hands over its "store open, first admin created" step, so sign-in can wait for it. */
export function trackAccountsReady(ready: Promise<void>): void {
  accounts().ready = ready;
}

/**
 * Sign-in right after a start must not say "wrong password" because the admin from LEAKWATCH_ADMIN_PASSWORD is
 * still being hashed (seconds on a slow or emulated CPU): wait for start-up, then say "starting" if it is stuck.
 */
export async function accountsReady(timeoutMs = 30_000): Promise<void> {
  const ready = accounts().ready;
  if (!ready) return;
  let timer: NodeJS.Timeout | undefined;
  const done = await Promise.race([
    ready.then(() => true),
    new Promise<false>((r) => (timer = setTimeout(() => r(false), timeoutMs))),
  ]).finally(() => clearTimeout(timer));
  if (!done) throw new StartingError("The console is still starting (its database is not ready); try again shortly.");
}

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
  await db
    .insertInto("setup_tokens")
    .values({ token_hash: sha256(token), created_at: now, expires_at: now + SETUP_TTL_MS, used_at: null })
    .execute();
  const url = `http://${cfg.listenHost}:${cfg.port}/setup?token=${token}`;
  // Printed plainly, not only as JSON, so an operator tailing the log can copy it.
  log.warn({ setupUrl: url }, "no users yet: open the one-time setup link to create the admin account");
  console.log(`\n  Leakwatch first start: create the admin account at\n  ${url}\n  (valid 24 hours, once)\n`);
}

async function setupTokenValid(token: string): Promise<boolean> {
  const db = await getDb();
  const row = await db
    .selectFrom("setup_tokens")
    .select("token_hash")
    .where("token_hash", "=", sha256(token))
    .where("used_at", "is", null)
    .where("expires_at", ">", Date.now())
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The setup link's form: creates the first admin and signs them in. Only an accepted link is audited as the
 * admin's creation; a refused one is a denial, and attempts are throttled per address, so nobody can fill the
 * audit log with entries that look like the real setup.
 */
export async function completeSetup(input: { token: string; username: string; password: string }, ip: string | null) {
  if ((await countUsers()) > 0) throw new ForbiddenError("Setup is done already; sign in instead.");
  await claimAttempt(setupKey(ip), THROTTLES.setup);
  if (!(await setupTokenValid(input.token))) {
    await auditEvent({
      kind: "denied",
      actor: "anonymous",
      role: null,
      sourceIp: ip,
      action: "POST /api/setup",
      detail: "invalid, used or expired setup link",
    });
    throw new ForbiddenError("This setup link is invalid, used or expired; restart the console for a new one.");
  }
  await auditEvent({
    kind: "settings",
    actor: input.username,
    role: "admin",
    sourceIp: ip,
    action: "setup.create-admin",
    target: input.username,
    detail: "first start: admin account from the setup link",
  });
  if (!(await consumeSetupToken(input.token)))
    throw new ForbiddenError("This setup link is invalid, used or expired; restart the console for a new one.");
  const user = await createUser({ username: input.username, password: input.password, role: "admin" });
  await clearAttempts(setupKey(ip));
  return { user: { username: user.username, role: user.role }, session: await createSession(user.id, ip) };
}

async function consumeSetupToken(token: string): Promise<boolean> {
  const db = await getDb();
  const now = Date.now();
  const r = await db
    .updateTable("setup_tokens")
    .set({ used_at: now })
    .where("token_hash", "=", sha256(token))
    .where("used_at", "is", null)
    .where("expires_at", ">", now)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
