import "server-only";
import { randomUUID } from "node:crypto";
import { getDb } from "@/server/db";
import { NotFoundError } from "@/server/errors";
import { newToken, sha256 } from "./crypto";
import type { Role } from "./roles";
import type { TokenRow } from "@/server/schemas/accounts";
import type { SessionInfo } from "./sessions";
import { isUsernameDisabled } from "./users";

// API tokens for scripts: role-scoped, shown once at creation, stored as sha256. A token may expire, and it works only
// while the user who created it exists and is enabled: disabling or deleting a user disarms their tokens too.

/** Who creates a token: a user's id, a proxy user ("proxy:<name>", not checked later), or a token's own creator. */
export async function creatorIdOf(caller: SessionInfo): Promise<string | null> {
  if (caller.via === "proxy") return `proxy:${caller.username}`;
  if (caller.via !== "token") return caller.userId;
  const db = await getDb();
  const row = await db
    .selectFrom("api_tokens")
    .select("created_by_id")
    .where("id", "=", caller.userId.replace(/^token:/, ""))
    .executeTakeFirst();
  return row?.created_by_id ?? null;
}

export async function createApiToken(
  name: string,
  role: Role,
  createdBy: string,
  opts: { createdById?: string | null; expiresAt?: number | null } = {},
): Promise<{ id: string; token: string; expiresAt: number | null }> {
  const db = await getDb();
  const token = `lw_${newToken()}`;
  const id = randomUUID();
  const expiresAt = opts.expiresAt ?? null;
  await db
    .insertInto("api_tokens")
    .values({
      id,
      name,
      role,
      token_hash: sha256(token),
      created_by: createdBy,
      created_at: Date.now(),
      last_used_at: null,
      revoked_at: null,
      expires_at: expiresAt,
      created_by_id: opts.createdById ?? null,
    })
    .execute();
  return { id, token, expiresAt };
}

/**
 * The creator still exists and is enabled. Tokens from before creator ids were kept are checked by username. A proxy
 * user is vouched for by the proxy, unless a console account of that name has been disabled.
 */
async function creatorActive(row: { created_by: string; created_by_id: string | null }): Promise<boolean> {
  if (row.created_by_id?.startsWith("proxy:")) return !(await isUsernameDisabled(row.created_by_id.slice(6)));
  const db = await getDb();
  const q = db.selectFrom("users").select("disabled");
  const user = await (
    row.created_by_id ? q.where("id", "=", row.created_by_id) : q.where("username", "=", row.created_by)
  ).executeTakeFirst();
  return user !== undefined && !user.disabled;
}

export async function readApiToken(token: string): Promise<SessionInfo | null> {
  const db = await getDb();
  const row = await db.selectFrom("api_tokens").selectAll().where("token_hash", "=", sha256(token)).executeTakeFirst();
  if (!row || row.revoked_at !== null) return null;
  const now = Date.now();
  if (row.expires_at !== null && Number(row.expires_at) <= now) return null;
  if (!(await creatorActive(row))) return null;
  if (!row.last_used_at || now - Number(row.last_used_at) > 60_000)
    await db.updateTable("api_tokens").set({ last_used_at: now }).where("id", "=", row.id).execute();
  // Bearer tokens are not sent by browsers on their own, so they carry no CSRF risk: csrfToken is unused.
  return {
    userId: `token:${row.id}`,
    username: `token:${row.name}`,
    role: row.role as Role,
    csrfToken: "",
    via: "token",
  };
}

export async function listApiTokens(): Promise<TokenRow[]> {
  const db = await getDb();
  const rows = await db
    .selectFrom("api_tokens")
    .select(["id", "name", "role", "created_by", "created_at", "last_used_at", "revoked_at", "expires_at"])
    .orderBy("created_at", "desc")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    role: r.role,
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
    lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
    revoked: r.revoked_at !== null,
    expiresAt: r.expires_at === null ? null : Number(r.expires_at),
  }));
}

export async function revokeApiToken(id: string): Promise<void> {
  const db = await getDb();
  const r = await db
    .updateTable("api_tokens")
    .set({ revoked_at: Date.now() })
    .where("id", "=", id)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) throw new NotFoundError(`No active token with id ${id}.`);
}
