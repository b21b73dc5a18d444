import { z } from "zod";
import { auditEvent } from "@/server/audit/service";
import { consumeSetupToken } from "@/server/auth/bootstrap";
import { createSession, SESSION_COOKIE } from "@/server/auth/sessions";
import { countUsers, createUser } from "@/server/auth/users";
import { ForbiddenError } from "@/server/errors";
import { sessionCookie } from "@/server/http/cookies";
import { apiRoute } from "@/server/http/handle";

const body = z.object({ token: z.string().min(10).max(200), username: z.string(), password: z.string() });

// The one-time setup link's form posts here: it creates the first admin and signs them in.
export const POST = apiRoute({ access: "public", mutating: true, body }, async ({ req, body, ip }) => {
  if ((await countUsers()) > 0) throw new ForbiddenError("Setup is done already; sign in instead.");
  if (!(await consumeSetupToken(body.token))) throw new ForbiddenError("This setup link is invalid, used or expired; restart the console for a new one.");
  const user = await createUser({ username: body.username, password: body.password, role: "admin" });
  await auditEvent({ kind: "settings", actor: user.username, role: "admin", sourceIp: ip, action: "setup.create-admin", detail: null });
  const s = await createSession(user.id, ip);
  const res = Response.json({ user: { username: user.username, role: user.role }, csrfToken: s.csrfToken });
  res.headers.append("set-cookie", sessionCookie(req, SESSION_COOKIE, s.token, s.expiresAt));
  return res;
});
