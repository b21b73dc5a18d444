import "server-only";
import { auditEvent } from "@/server/audit/service";
import { UnauthenticatedError } from "@/server/errors";
import { accountsReady } from "./bootstrap";
import { dummyHash, sha256, verifyPassword } from "./crypto";
import { createSession } from "./sessions";
import { accountKey, addressKey, claimAttempt, clearAttempts, refundAttempt, THROTTLES } from "./throttle";
import { findUserByName, type User } from "./users";

// Sign-in: throttle, check the password, audit, open a session. Audits its own entries, as the action runner does.

/**
 * How a failed sign-in names an account that does not exist: bounded and marked, never the text typed, which
 * is often a password typed into the wrong field and would be readable by every viewer of the audit log.
 */
function unknownUserLabel(typed: string): string {
  return `(unknown user #${sha256(typed).slice(0, 10)}, ${Math.min(typed.length, 999)} chars)`;
}

export async function signIn(username: string, password: string, ip: string | null) {
  await accountsReady();
  await claimAttempt(accountKey(username, ip), THROTTLES.account);
  if (ip) await claimAttempt(addressKey(ip), THROTTLES.address);
  const user = await findUserByName(username);
  const ok =
    user && !user.disabled
      ? await verifyPassword(user.password_hash, password)
      : (await verifyPassword(await dummyHash(), password), false);
  if (!user || !ok) {
    await auditEvent({
      kind: "login-failed",
      actor: user ? user.username : unknownUserLabel(username),
      role: null,
      sourceIp: ip,
      action: "login",
      detail: "wrong username or password",
    });
    throw new UnauthenticatedError("Wrong username or password.");
  }
  await clearAttempts(accountKey(username, ip));
  if (ip) await refundAttempt(addressKey(ip), THROTTLES.address);
  const session = await createSession(user.id, ip);
  await auditEvent({
    kind: "login",
    actor: user.username,
    role: user.role,
    sourceIp: ip,
    action: "login",
    detail: null,
  });
  return { user: { username: user.username, role: user.role as User["role"] }, session };
}
