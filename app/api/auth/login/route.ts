import { z } from "zod";
import { signIn } from "@/server/auth/login";
import { SESSION_COOKIE } from "@/server/auth/sessions";
import { apiRoute } from "@/server/http/handle";
import { sessionCookie } from "@/server/http/cookies";

const body = z.object({ username: z.string().min(1).max(128), password: z.string().min(1).max(1024) });

export const POST = apiRoute(
  { access: "public", mutating: true, body, maxBodyBytes: 4096 },
  async ({ req, body, ip }) => {
    const { user, session } = await signIn(body.username, body.password, ip);
    const res = Response.json({ user, csrfToken: session.csrfToken });
    res.headers.append("set-cookie", sessionCookie(req, SESSION_COOKIE, session.token, session.expiresAt));
    return res;
  },
);
