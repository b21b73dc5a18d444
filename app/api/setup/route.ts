import { z } from "zod";
import { auditEvent } from "@/server/audit/service";
import { consumeSetupToken } from "@/server/auth/bootstrap";
import { createSession, SESSION_COOKIE } from "@/server/auth/sessions";
import { countUsers, createUser, newUserSchema } from "@/server/auth/users";
import { ForbiddenError } from "@/server/errors";
import { sessionCookie } from "@/server/http/cookies";
import { apiRoute } from "@/server/http/handle";

const body = z.object({ token: z.string().min(10).max(200), username: newUserSchema.shape.username, password: newUserSchema.shape.password });

// The one-time setup link's form posts here: it creates the first admin and signs them in.
// Input is validated before the token is spent, so a too-short password doesn't burn the link.
export const POST = apiRoute({ access: "public", mutating: true, body }, async ({ req, body, ip }) => {
  if ((await countUsers()) > 0) throw new ForbiddenError("Setup is done already; sign in instead.");
  await auditEvent({ kind: "settings", actor: body.username, role: "admin", sourceIp: ip, action: "setup.create-admin", detail: "first start: admin account from the setup link" });
  if (!(await consumeSetupToken(body.token))) throw new ForbiddenError("This setup link is invalid, used or expired; restart the console for a new one.");
  const user = await createUser({ username: body.username, password: body.password, role: "admin" });
  const s = await createSession(user.id, ip);
  const res = Response.json({ user: { username: user.username, role: user.role }, csrfToken: s.csrfToken });
  res.headers.append("set-cookie", sessionCookie(req, SESSION_COOKIE, s.token, s.expiresAt));
  return res;
});
