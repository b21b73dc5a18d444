import "server-only";
import { randomUUID } from "node:crypto";
import { getDb } from "@/server/db";
import { NotFoundError } from "@/server/errors";
import { newToken, sha256 } from "./crypto";
import type { Role } from "./roles";
import type { SessionInfo } from "./sessions";

// API tokens for scripts: role-scoped, shown once at creation, stored as sha256.

export async function createApiToken(name: string, role: Role, createdBy: string): Promise<{ id: string; token: string }> {
  const db = await getDb();
  const token = `lw_${newToken()}`;
  const id = randomUUID();
  await db.insertInto("api_tokens").values({
    id, name, role, token_hash: sha256(token), created_by: createdBy, created_at: Date.now(), last_used_at: null, revoked_at: null,
  }).execute();
  return { id, token };
}

export async function readApiToken(token: string): Promise<SessionInfo | null> {
  const db = await getDb();
  const row = await db.selectFrom("api_tokens").selectAll().where("token_hash", "=", sha256(token)).executeTakeFirst();
  if (!row || row.revoked_at !== null) return null;
  const now = Date.now();
  if (!row.last_used_at || now - Number(row.last_used_at) > 60_000)
    await db.updateTable("api_tokens").set({ last_used_at: now }).where("id", "=", row.id).execute();
  // Bearer tokens are not sent by browsers on their own, so they carry no CSRF risk: csrfToken is unused.
  return { userId: `token:${row.id}`, username: `token:${row.name}`, role: row.role as Role, csrfToken: "", via: "token" };
}

export async function listApiTokens() {
  const db = await getDb();
  const rows = await db.selectFrom("api_tokens").select(["id", "name", "role", "created_by", "created_at", "last_used_at", "revoked_at"]).orderBy("created_at", "desc").execute();
  return rows.map((r) => ({ id: r.id, name: r.name, role: r.role, createdBy: r.created_by, createdAt: Number(r.created_at), lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at), revoked: r.revoked_at !== null }));
}

export async function revokeApiToken(id: string): Promise<void> {
  const db = await getDb();
  const r = await db.updateTable("api_tokens").set({ revoked_at: Date.now() }).where("id", "=", id).where("revoked_at", "is", null).executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) throw new NotFoundError(`No active token with id ${id}.`);
}
