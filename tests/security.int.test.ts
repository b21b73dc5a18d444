// Security hardening (issue 15), end to end through the real route handlers: each block is a way the running console
// was found to fail under a probe, and fails again if that hole reopens.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flushTestRedis, testRedisUrl } from "@/server/testing/harness";
import { call, HOST, ORIGIN, startConsole, type TestConsole } from "./support/action-console";

const BROKER_DB = 6;
let lw: TestConsole;

beforeAll(async () => {
  await flushTestRedis([BROKER_DB]);
  lw = await startConsole({ LEAKWATCH_BROKERS: `default=${testRedisUrl(BROKER_DB)}` });
});

afterAll(async () => {
  await lw?.close();
  await flushTestRedis([BROKER_DB]);
});

/** A request with hand-made headers, for what CallOptions can't express. */
function rawRequest(urlPath: string, headers: Record<string, string>, init: RequestInit = {}): Request {
  return new Request(`${ORIGIN}${urlPath}`, { ...init, headers: { host: HOST, ...headers } });
}

describe("a malformed session cookie", () => {
  it("is no session: 401 on an API route, not a 500", async () => {
    const { GET } = await import("@/app/api/auth/session/route");
    for (const cookie of ["lw_session=%", "lw_session=%E0%A4%A", "lw_session=%zz; other=1"]) {
      const res = await GET(rawRequest("/api/auth/session", { cookie }));
      expect({ cookie, status: res.status, body: await res.json() }).toEqual({ cookie, status: 401, body: { error: { code: "unauthenticated", message: expect.any(String) } } });
    }
  });
});

describe("the live stream", () => {
  /** Reads the stream until it ends; resolves with what it carried. Rejects if it is still open after `limitMs`. */
  async function readUntilClosed(res: Response, limitMs = 60_000): Promise<string> {
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let text = "";
    const timer = setTimeout(() => void reader.cancel("still open"), limitMs);
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += dec.decode(value);
      }
    } finally {
      clearTimeout(timer);
    }
    return text;
  }

  it("closes once the session that opened it is signed out", async () => {
    const user = await lw.newSession("viewer");
    const { GET } = await import("@/app/api/events/route");
    const res = await call(GET, "/api/events", { as: user });
    expect(res.status).toBe(200);
    const { POST: logout } = await import("@/app/api/auth/logout/route");
    expect((await call(logout, "/api/auth/logout", { as: user, method: "POST" })).status).toBe(200);
    const text = await readUntilClosed(res);
    expect(text).toContain("event: session-ended");
  });

  it("closes once the token that opened it is revoked", async () => {
    const { createApiToken, revokeApiToken } = await import("@/server/auth/tokens");
    const t = await createApiToken("stream-reader", "viewer", lw.users.admin.username);
    const { GET } = await import("@/app/api/events/route");
    const res = await call(GET, "/api/events", { bearer: t.token, origin: null });
    expect(res.status).toBe(200);
    await revokeApiToken(t.id);
    expect(await readUntilClosed(res)).toContain("event: session-ended");
  });
});
