import "server-only";
import { getDb } from "@/server/db";
import { newToken, sha256 } from "./crypto";
import type { Role } from "./roles";

// Server-side sessions: the cookie holds a random token, the database its sha256, so a session can be revoked
// and a database leak yields no usable cookie. Sliding expiry, capped by an absolute lifetime.

export const SESSION_COOKIE = "lw_session";
const IDLE_MS = 12 * 3600_000;
const ABSOLUTE_MS = 7 * 24 * 3600_000;

export interface SessionInfo {
  userId: string;
  username: string;
  role: Role;
  csrfToken: string;
  via: "session" | "token" | "proxy";
}

export async function createSession(
  userId: string,
  ip: string | null,
): Promise<{ token: string; csrfToken: string; expiresAt: number }> {
  const db = await getDb();
  const token = newToken();
  const now = Date.now();
  const csrfToken = newToken(24);
  await db
    .insertInto("sessions")
    .values({
      id: sha256(token),
      user_id: userId,
      csrf_token: csrfToken,
      created_at: now,
      expires_at: now + ABSOLUTE_MS,
      last_seen_at: now,
      ip,
    })
    .execute();
  return { token, csrfToken, expiresAt: now + ABSOLUTE_MS };
}

export async function readSession(token: string): Promise<SessionInfo | null> {
  const db = await getDb();
  const now = Date.now();
  const row = await db
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .select([
      "sessions.id as sid",
      "sessions.csrf_token",
      "sessions.expires_at",
      "sessions.last_seen_at",
      "users.id as uid",
      "users.username",
      "users.role",
      "users.disabled",
    ])
    .where("sessions.id", "=", sha256(token))
    .executeTakeFirst();
  if (!row || row.disabled) return null;
  if (Number(row.expires_at) < now || Number(row.last_seen_at) + IDLE_MS < now) {
    await db.deleteFrom("sessions").where("id", "=", row.sid).execute();
    return null;
  }
  // Touch at most once a minute: a busy live page must not write on every request.
  if (now - Number(row.last_seen_at) > 60_000)
    await db.updateTable("sessions").set({ last_seen_at: now }).where("id", "=", row.sid).execute();
  return { userId: row.uid, username: row.username, role: row.role as Role, csrfToken: row.csrf_token, via: "session" };
}

export async function deleteSession(token: string): Promise<void> {
  const db = await getDb();
  await db.deleteFrom("sessions").where("id", "=", sha256(token)).execute();
}

export async function pruneSessions(): Promise<void> {
  const db = await getDb();
  const now = Date.now();
  await db
    .deleteFrom("sessions")
    .where((eb) => eb.or([eb("expires_at", "<", now), eb("last_seen_at", "<", now - IDLE_MS)]))
    .execute();
}
