// test-only: boots the console in this process against a test configuration, and calls its route handlers
// the way Next does, with a real session cookie. No HTTP server: the handlers are the same code Next runs.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseConfig, setConfigForTests } from "@/server/config";
import { createSession, SESSION_COOKIE } from "@/server/auth/sessions";
import { findUserByName } from "@/server/auth/users";

export const ORIGIN = "http://127.0.0.1:3000";

export function testConfig(env: Record<string, string>): string {
  const dataDir = mkdtempSync(path.join(tmpdir(), "leakwatch-int-"));
  setConfigForTests(
    parseConfig({ LEAKWATCH_DATA_DIR: dataDir, LEAKWATCH_ADMIN_PASSWORD: "integration-admin-pw", ...env }),
  );
  return dataDir;
}

export async function adminCookie(): Promise<string> {
  const user = await findUserByName("admin");
  if (!user) throw new Error("no admin user: boot the runtime first");
  const s = await createSession(user.id, "127.0.0.1");
  return `${SESSION_COOKIE}=${s.token}`;
}

type Handler = (req: Request, ctx?: { params: Promise<Record<string, string>> }) => Promise<Response>;

export async function call<T = unknown>(
  handler: Handler,
  url: string,
  cookie: string,
  params: Record<string, string> = {},
): Promise<{ status: number; body: T }> {
  const res = await handler(new Request(`${ORIGIN}${url}`, { headers: { cookie, host: "127.0.0.1:3000" } }), {
    params: Promise.resolve(params),
  });
  return { status: res.status, body: (await res.json()) as T };
}

export async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T = await fn();
  while (!ok(last)) {
    if (Date.now() > end)
      throw new Error(`condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(last).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 200));
    last = await fn();
  }
  return last;
}
