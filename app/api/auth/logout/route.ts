import { deleteSession, SESSION_COOKIE } from "@/server/auth/sessions";
import { clearCookie } from "@/server/http/cookies";
import { readCookie } from "@/server/http/caller";
import { apiRoute } from "@/server/http/handle";

export const POST = apiRoute({ access: "viewer", mutating: true }, async ({ req }) => {
  const token = readCookie(req, SESSION_COOKIE);
  if (token) await deleteSession(token);
  const res = Response.json({ ok: true });
  res.headers.append("set-cookie", clearCookie(req, SESSION_COOKIE));
  return res;
});
