import "server-only";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { readSession, SESSION_COOKIE, type SessionInfo } from "./sessions";

/** For server components: the signed-in user, or a redirect to the login page. */
export async function requireUser(): Promise<SessionInfo> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  const s = token ? await readSession(token).catch(() => null) : null;
  if (!s) redirect("/login");
  return s;
}
