import { z } from "zod";
import { auditEvent } from "@/server/audit/service";
import { dummyHash, verifyPassword } from "@/server/auth/crypto";
import { createSession, SESSION_COOKIE } from "@/server/auth/sessions";
import { checkLoginThrottle, clearLoginFailures, recordLoginFailure } from "@/server/auth/throttle";
import { findUserByName } from "@/server/auth/users";
import { UnauthenticatedError } from "@/server/errors";
import { apiRoute } from "@/server/http/handle";
import { sessionCookie } from "@/server/http/cookies";

const body = z.object({ username: z.string().min(1).max(128), password: z.string().min(1).max(1024) });

export const POST = apiRoute({ access: "public", mutating: true, body }, async ({ req, body, ip }) => {
  await checkLoginThrottle(body.username, ip);
  const user = await findUserByName(body.username);
  const ok = user && !user.disabled ? await verifyPassword(user.password_hash, body.password) : (await verifyPassword(await dummyHash(), body.password), false);
  if (!user || !ok) {
    await recordLoginFailure(body.username, ip);
    await auditEvent({ kind: "login-failed", actor: body.username, role: null, sourceIp: ip, action: "login", detail: "wrong username or password" });
    throw new UnauthenticatedError("Wrong username or password.");
  }
  await clearLoginFailures(body.username);
  const s = await createSession(user.id, ip);
  await auditEvent({ kind: "login", actor: user.username, role: user.role, sourceIp: ip, action: "login", detail: null });
  const res = Response.json({ user: { username: user.username, role: user.role }, csrfToken: s.csrfToken });
  res.headers.append("set-cookie", sessionCookie(req, SESSION_COOKIE, s.token, s.expiresAt));
  return res;
});
