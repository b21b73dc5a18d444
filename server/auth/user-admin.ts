import "server-only";
import { z } from "zod";
import { auditEvent } from "@/server/audit/service";
import { ConflictError, NotFoundError, ValidationError } from "@/server/errors";
import { ROLES } from "./roles";
import type { SessionInfo } from "./sessions";
import { clearAccountFromAllAddresses } from "./throttle";
import { createApiToken, creatorIdOf, revokeApiToken } from "./tokens";
import {
  countOtherEnabledAdmins,
  createUser,
  deleteUser,
  findUser,
  newUserSchema,
  passwordSchema,
  setUserDisabled,
  setUserPassword,
  setUserRole,
  type User,
} from "./users";

// What an admin does to accounts: create, disable or enable, change the role, reset the password, delete. Each change
// is audited before it happens (a change that can't be recorded doesn't happen) and ends the user's sessions; API
// tokens the user created stop working while the user is disabled or gone (server/auth/tokens.ts).

export interface AdminCaller {
  caller: SessionInfo;
  ip: string | null;
}

export const userPatchSchema = z
  .object({ disabled: z.boolean().optional(), role: z.enum(ROLES).optional() })
  .strict()
  .refine((p) => p.disabled !== undefined || p.role !== undefined, "give disabled or role");
export const passwordResetSchema = z.object({ password: passwordSchema }).strict();

function audit(by: AdminCaller, action: string, target: string, params?: unknown) {
  return auditEvent({
    kind: "settings",
    actor: by.caller.username,
    role: by.caller.role,
    sourceIp: by.ip,
    action,
    target,
    params,
    detail: null,
  });
}

/** `ref` is a user's id or username. */
async function mustGet(ref: string): Promise<User> {
  const u = await findUser(ref);
  if (!u) throw new NotFoundError(`No user with id or name ${ref}.`);
  return u;
}

/** The caller acts as this account: signed in as it, through a token it created, or as the proxy user of its name. */
async function isSelf(u: User, caller: SessionInfo): Promise<boolean> {
  if (caller.via === "proxy") return caller.username === u.username;
  return (await creatorIdOf(caller)) === u.id;
}

/** Nobody may take the last enabled admin away (or their own admin rights): the console would have no admin left. */
async function keepAnAdmin(u: User, by: AdminCaller, what: string): Promise<void> {
  if (await isSelf(u, by.caller)) throw new ConflictError(`You cannot ${what} your own account; ask another admin.`);
  if (u.role === "admin" && !u.disabled && (await countOtherEnabledAdmins(u.id)) === 0)
    throw new ConflictError(`${u.username} is the last enabled admin; make another admin first.`);
}

export async function addUser(input: z.infer<typeof newUserSchema>, by: AdminCaller): Promise<User> {
  await audit(by, "user.create", input.username, { role: input.role });
  return createUser(input);
}

export async function updateUser(ref: string, patch: z.infer<typeof userPatchSchema>, by: AdminCaller): Promise<User> {
  const u = await mustGet(ref);
  if (patch.disabled === true && !u.disabled) await keepAnAdmin(u, by, "disable");
  if (patch.role !== undefined && patch.role !== "admin" && u.role === "admin") await keepAnAdmin(u, by, "demote");
  if (patch.role !== undefined && patch.role !== u.role) {
    await audit(by, "user.set-role", u.username, { from: u.role, to: patch.role });
    await setUserRole(u.id, patch.role);
  }
  if (patch.disabled !== undefined && patch.disabled !== u.disabled) {
    await audit(by, patch.disabled ? "user.disable" : "user.enable", u.username);
    await setUserDisabled(u.id, patch.disabled);
  }
  return mustGet(u.id);
}

export async function resetUserPassword(ref: string, password: string, by: AdminCaller): Promise<void> {
  const u = await mustGet(ref);
  if (!passwordSchema.safeParse(password).success) throw new ValidationError("password: at least 12 characters");
  await audit(by, "user.reset-password", u.username); // never the password itself
  await setUserPassword(u.id, password);
  await clearAccountFromAllAddresses(u.username);
}

export async function removeUser(ref: string, by: AdminCaller): Promise<void> {
  const u = await mustGet(ref);
  await keepAnAdmin(u, by, "delete");
  await audit(by, "user.delete", u.username, { role: u.role });
  await deleteUser(u.id);
}

export const newTokenSchema = z.object({
  name: z.string().trim().min(1).max(64),
  role: z.enum(ROLES),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});

/** Issues an API token (audited first); the token is returned once and only its hash is kept. */
export async function issueToken(input: z.infer<typeof newTokenSchema>, by: AdminCaller) {
  const expiresAt = input.expiresInDays ? Date.now() + input.expiresInDays * 86_400_000 : null;
  await audit(by, "token.create", input.name, {
    role: input.role,
    expiresAt: expiresAt && new Date(expiresAt).toISOString(),
  });
  return createApiToken(input.name, input.role, by.caller.username, {
    createdById: await creatorIdOf(by.caller),
    expiresAt,
  });
}

/** Revokes an API token (audited first). */
export async function revokeToken(id: string, by: AdminCaller): Promise<void> {
  await audit(by, "token.revoke", id);
  await revokeApiToken(id);
}
