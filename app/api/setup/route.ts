import { z } from "zod";
import { completeSetup } from "@/server/auth/bootstrap";
import { SESSION_COOKIE } from "@/server/auth/sessions";
import { newUserSchema } from "@/server/auth/users";
import { sessionCookie } from "@/server/http/cookies";
import { apiRoute } from "@/server/http/handle";

const body = z.object({
  token: z.string().min(10).max(200),
  username: newUserSchema.shape.username,
  password: newUserSchema.shape.password,
});

// The one-time setup link's form posts here: it creates the first admin and signs them in.
// Input is validated before the token is spent, so a too-short password doesn't burn the link.
export const POST = apiRoute(
  { access: "public", mutating: true, body, maxBodyBytes: 4096 },
  async ({ req, body, ip }) => {
    const { user, session } = await completeSetup(body, ip);
    const res = Response.json({ user, csrfToken: session.csrfToken });
    res.headers.append("set-cookie", sessionCookie(req, SESSION_COOKIE, session.token, session.expiresAt));
    return res;
  },
);
