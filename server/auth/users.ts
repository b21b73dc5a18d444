import "server-only";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { getDb } from "@/server/db";
import { ConflictError, NotFoundError, ValidationError } from "@/server/errors";
import { hashPassword } from "./crypto";
import { ROLES, type Role } from "./roles";
import type { UserRow } from "@/server/schemas/accounts";

export type User = UserRow;

export const newUserSchema = z.object({
  username: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_.@-]+$/, "letters, digits and _ . @ - only"),
  password: z.string().min(12, "at least 12 characters").max(1024),
  role: z.enum(ROLES),
});

function toUser(r: { id: string; username: string; role: string; disabled: number; created_at: number }): User {
  return {
    id: r.id,
    username: r.username,
    role: r.role as Role,
    disabled: Boolean(r.disabled),
    createdAt: Number(r.created_at),
  };
}

export async function createUser(input: z.input<typeof newUserSchema>): Promise<User> {
  const parsed = newUserSchema.safeParse(input);
  if (!parsed.success)
    throw new ValidationError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  const db = await getDb();
  const existing = await db
    .selectFrom("users")
    .select("id")
    .where("username", "=", parsed.data.username)
    .executeTakeFirst();
  if (existing) throw new ConflictError(`User "${parsed.data.username}" exists already.`);
  const row = {
    id: randomUUID(),
    username: parsed.data.username,
    password_hash: await hashPassword(parsed.data.password),
    role: parsed.data.role,
    created_at: Date.now(),
    disabled: 0,
  };
  await db.insertInto("users").values(row).execute();
  return toUser(row);
}

export async function findUserByName(username: string) {
  const db = await getDb();
  return db.selectFrom("users").selectAll().where("username", "=", username).executeTakeFirst();
}

async function getUser(id: string): Promise<User | null> {
  const db = await getDb();
  const r = await db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
  return r ? toUser(r) : null;
}

/** A user by id or, failing that, by username: `/api/users/{id or name}`. An id wins over a username spelt like it. */
export async function findUser(ref: string): Promise<User | null> {
  const byId = await getUser(ref);
  if (byId) return byId;
  const r = await findUserByName(ref);
  return r ? toUser(r) : null;
}

/** A console account of this name exists and is disabled: its owner is refused however they sign in. */
export async function isUsernameDisabled(username: string): Promise<boolean> {
  const r = await findUserByName(username);
  return Boolean(r?.disabled);
}

export async function listUsers(): Promise<User[]> {
  const db = await getDb();
  return (await db.selectFrom("users").selectAll().orderBy("username").execute()).map(toUser);
}

export async function countUsers(): Promise<number> {
  const db = await getDb();
  const r = await db
    .selectFrom("users")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

export async function setUserDisabled(id: string, disabled: boolean): Promise<void> {
  const db = await getDb();
  const r = await db
    .updateTable("users")
    .set({ disabled: disabled ? 1 : 0 })
    .where("id", "=", id)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) throw new NotFoundError(`No user with id ${id}.`);
  if (disabled) await endSessionsOf(id);
}

export const passwordSchema = newUserSchema.shape.password;

/** Ends every session of the user: the next request (and the live stream within seconds) is signed out. */
async function endSessionsOf(id: string): Promise<void> {
  const db = await getDb();
  await db.deleteFrom("sessions").where("user_id", "=", id).execute();
}

export async function setUserPassword(id: string, password: string): Promise<void> {
  const parsed = passwordSchema.safeParse(password);
  if (!parsed.success) throw new ValidationError(`password: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  const db = await getDb();
  const r = await db
    .updateTable("users")
    .set({ password_hash: await hashPassword(parsed.data) })
    .where("id", "=", id)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) throw new NotFoundError(`No user with id ${id}.`);
  await endSessionsOf(id);
}

export async function setUserRole(id: string, role: Role): Promise<void> {
  const db = await getDb();
  const r = await db.updateTable("users").set({ role }).where("id", "=", id).executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) throw new NotFoundError(`No user with id ${id}.`);
  await endSessionsOf(id);
}

export async function deleteUser(id: string): Promise<void> {
  const db = await getDb();
  await endSessionsOf(id);
  const r = await db.deleteFrom("users").where("id", "=", id).executeTakeFirst();
  if (Number(r.numDeletedRows) === 0) throw new NotFoundError(`No user with id ${id}.`);
}

/** Enabled admins other than `exceptId`: a change that would leave none is refused, or nobody could administer. */
export async function countOtherEnabledAdmins(exceptId: string): Promise<number> {
  const db = await getDb();
  const r = await db
    .selectFrom("users")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("role", "=", "admin")
    .where("disabled", "=", 0)
    .where("id", "!=", exceptId)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}
