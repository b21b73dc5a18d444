// Security hardening (issue 15), end to end through the real route handlers: each block is a way the running console
// was found to fail under a probe, and fails again if that hole reopens.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flushTestRedis, testRedisUrl } from "@/server/testing/harness";
import {
  call,
  callJson,
  errorCode,
  HOST,
  ORIGIN,
  startConsole,
  type TestConsole,
} from "@/server/testing/action-console";

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
      expect({ cookie, status: res.status, body: await res.json() }).toEqual({
        cookie,
        status: 401,
        body: { error: { code: "unauthenticated", message: expect.any(String) } },
      });
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

async function login(username: string, password: string, peer: string, extra: Record<string, string> = {}) {
  const { POST } = await import("@/app/api/auth/login/route");
  const res = await POST(
    rawRequest(
      "/api/auth/login",
      { origin: ORIGIN, "content-type": "application/json", "x-leakwatch-peer": peer, ...extra },
      { method: "POST", body: JSON.stringify({ username, password }) },
    ),
  );
  return {
    status: res.status,
    retryAfter: res.headers.get("retry-after"),
    body: (await res.json()) as { error?: { code: string; message: string } },
  };
}

describe("sign-in throttling", () => {
  const password = "the owner's long password";

  it("lets exactly the free allowance of parallel guesses through, and only for that account from that address", async () => {
    const { createUser } = await import("@/server/auth/users");
    await createUser({ username: "owner", password, role: "admin" });
    // Forty guesses at once, in another letter case: five are checked, the rest are told to wait.
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => login("OWNER", `guess ${i}`, "10.9.0.1")));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(35);
    expect(Number(results.find((r) => r.status === 429)!.retryAfter)).toBeGreaterThan(0);
    // The real owner, from another address, is not held back.
    expect((await login("owner", password, "10.9.0.2")).status).toBe(200);
    // The attacker's address still waits, even with the right password.
    expect((await login("owner", password, "10.9.0.1")).status).toBe(429);
    // A forged X-Forwarded-For from an address that is not a trusted proxy changes nothing.
    expect((await login("owner", password, "10.9.0.1", { "x-forwarded-for": "10.9.9.9" })).status).toBe(429);
  });

  it("is lifted on the host with `npm run user -- unlock`", async () => {
    const { main } = await import("../scripts/user-admin");
    const out: string[] = [];
    expect(await main(["unlock", "owner"], (l) => out.push(l))).toBe(0);
    expect(out.join("\n")).toMatch(/unlocked owner/);
    expect((await login("owner", password, "10.9.0.1")).status).toBe(200);
  });

  it("resets a forgotten password on the host with `npm run user -- reset-password`, ending the user's sessions", async () => {
    const signedIn = await login("owner", password, "10.9.0.4");
    expect(signedIn.status).toBe(200);
    const { main } = await import("../scripts/user-admin");
    const out: string[] = [];
    expect(await main(["reset-password", "owner"], (l) => out.push(l))).toBe(0);
    const newPassword = out.at(-1)!;
    expect(newPassword.length).toBeGreaterThanOrEqual(20);
    expect((await login("owner", password, "10.9.0.4")).status).toBe(401);
    expect((await login("owner", newPassword, "10.9.0.4")).status).toBe(200);
    expect(await main(["reset-password", "nobody-here"], () => undefined)).toBe(1);
  });

  it("never slows an address down for sign-ins that succeed", async () => {
    const { createUser } = await import("@/server/auth/users");
    await createUser({ username: "busy", password, role: "viewer" });
    const results: number[] = [];
    for (let i = 0; i < 40; i++) results.push((await login("busy", password, "10.9.0.6")).status);
    expect(results.filter((s) => s !== 200)).toEqual([]);
  });

  it("slows one address spraying many accounts after 30 failures", async () => {
    const results: number[] = [];
    for (let i = 0; i < 32; i++) results.push((await login(`sprayed-${i}`, "guess", "10.9.0.3")).status);
    expect(results.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(results.slice(30)).toEqual([429, 429]);
    expect((await login("owner", "anything at all", "10.9.0.5")).status).toBe(401);
  });
});

describe("failed sign-ins in the audit log", () => {
  it("name a known account, and mark an unknown one without storing what was typed", async () => {
    const typed = "Tr0ub4dor&3-typed-in-the-wrong-field";
    expect((await login(typed, "x", "10.9.1.1")).status).toBe(401);
    expect((await login(lw.users.viewer.username, "wrong password", "10.9.1.1")).status).toBe(401);
    const failed = (await lw.auditEntries()).filter((e) => e.event === "login-failed" && e.sourceIp === "10.9.1.1");
    expect(failed).toHaveLength(2);
    expect(JSON.stringify(failed)).not.toContain("Tr0ub4dor");
    expect(failed[0]!.actor).toMatch(/^\(unknown user #[0-9a-f]{10}, \d+ chars\)$/);
    expect(failed[1]!.actor).toBe(lw.users.viewer.username);
  });
});

describe("request bodies", () => {
  it("are refused over the route's cap before parsing: a declared 9 MB sign-in body", async () => {
    const big = JSON.stringify({ username: "x", password: "y".repeat(9 * 1024 * 1024) });
    const r = await callJson((await import("@/app/api/auth/login/route")).POST, "/api/auth/login", { body: big });
    expect({ status: r.status, code: errorCode(r) }).toEqual({ status: 413, code: "too_large" });
  });

  it("stop reading a streamed body without Content-Length as soon as it passes the cap", async () => {
    const { POST } = await import("@/app/api/setup/route");
    let pulled = 0;
    const chunk = new Uint8Array(1024).fill(0x20);
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled += chunk.byteLength;
        if (pulled > 9 * 1024 * 1024) c.close();
        else c.enqueue(chunk);
      },
    });
    const res = await POST(
      rawRequest("/api/setup", { origin: ORIGIN, "content-type": "application/json" }, {
        method: "POST",
        body,
        duplex: "half",
      } as RequestInit),
    );
    expect(res.status).toBe(413);
    expect(pulled).toBeLessThan(64 * 1024);
  });

  it("keep a larger cap where a route needs one: a 10 KB runbook note body is parsed", async () => {
    const { POST } = await import("@/app/api/runbooks/[id]/notes/route");
    const r = await callJson(POST, "/api/runbooks/nope/notes", {
      as: lw.users.operator,
      params: { id: "nope" },
      body: { note: "n".repeat(10_000) },
    });
    expect(r.status).not.toBe(413);
  });
});

describe("the setup link before the first admin exists", () => {
  it("audits only an accepted setup; refused ones are throttled denials", async () => {
    const { getDb } = await import("@/server/db");
    const { sha256 } = await import("@/server/auth/crypto");
    const db = await getDb();
    const users = await db.selectFrom("users").selectAll().execute();
    const sessions = await db.selectFrom("sessions").selectAll().execute();
    await db.deleteFrom("users").execute();
    try {
      const { POST } = await import("@/app/api/setup/route");
      const post = async (token: string, peer: string) => {
        const res = await POST(
          rawRequest(
            "/api/setup",
            { origin: ORIGIN, "content-type": "application/json", "x-leakwatch-peer": peer },
            {
              method: "POST",
              body: JSON.stringify({ token, username: "mallory", password: "a long enough password" }),
            },
          ),
        );
        return res.status;
      };
      const before = (await lw.auditEntries()).length;
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) statuses.push(await post(`forged-token-${i}`, "10.9.2.1"));
      expect(statuses).toEqual([403, 403, 403, 403, 403, 429, 429, 429, 429, 429]);
      let added = (await lw.auditEntries()).slice(before);
      expect(added.filter((e) => e.action === "setup.create-admin")).toEqual([]);
      expect(added.filter((e) => e.event === "denied" && e.action === "POST /api/setup")).toHaveLength(5);

      const token = "a-real-setup-token-0123456789";
      await db
        .insertInto("setup_tokens")
        .values({ token_hash: sha256(token), created_at: Date.now(), expires_at: Date.now() + 60_000, used_at: null })
        .execute();
      expect(await post(token, "10.9.2.2")).toBe(200);
      added = (await lw.auditEntries()).slice(before);
      expect(added.filter((e) => e.action === "setup.create-admin").map((e) => e.actor)).toEqual(["mallory"]);
    } finally {
      await db.deleteFrom("sessions").execute();
      await db.deleteFrom("users").execute();
      await db.insertInto("users").values(users).execute();
      await db.insertInto("sessions").values(sessions).execute();
    }
  });
});

describe("an unwritable audit log", () => {
  it("shows in /api/health, and no public body carries the data dir's path", async () => {
    const { mkdir, rename, rmdir } = await import("node:fs/promises");
    const { GET: health } = await import("@/app/api/health/route");
    const auditOk = async () => {
      const text = await (await health()).text();
      expect(text).not.toContain(lw.dataDir);
      return (JSON.parse(text) as { sources: { kind: string; ok: boolean; lastError: string | null }[] }).sources.find(
        (s) => s.kind === "audit",
      );
    };
    // A write that works first, so the state below is a change the check has to notice.
    expect((await login(lw.users.viewer.username, "correct horse viewer battery", "10.9.3.1")).status).toBe(200);
    expect((await auditOk())?.ok).toBe(true);

    await rename(lw.auditFile, `${lw.auditFile}.aside`);
    await mkdir(lw.auditFile);
    try {
      const r = await login(lw.users.viewer.username, "correct horse viewer battery", "10.9.3.1");
      expect({ status: r.status, code: r.body.error?.code }).toEqual({ status: 503, code: "audit_unavailable" });
      expect(JSON.stringify(r.body)).not.toContain(lw.dataDir);
      expect(JSON.stringify(r.body)).not.toMatch(/\/tmp\//);
      const audit = await auditOk();
      expect(audit?.ok).toBe(false);
      expect(audit?.lastError).toMatch(/EISDIR|cannot/);
    } finally {
      await rmdir(lw.auditFile);
      await rename(`${lw.auditFile}.aside`, lw.auditFile);
    }
    expect((await login(lw.users.viewer.username, "correct horse viewer battery", "10.9.3.1")).status).toBe(200);
    expect((await auditOk())?.ok).toBe(true);
  });
});

describe("answers for things that do not exist", () => {
  it("restoring an unknown quarantine is a 404, not a broker outage", async () => {
    const { postAction } = await import("@/server/testing/action-console");
    const r = await postAction(lw.users.operator, {
      action: "queue.restore-quarantine",
      target: { broker: "default", queue: "dataset" },
      params: { quarantine: "leakwatch.quarantine.dataset.nope" },
      reason: "INC-1 probe",
    });
    expect({ status: r.status, code: errorCode(r) }).toEqual({ status: 404, code: "not_found" });
  });

  it("a runbook for a broker that is not configured is a 400", async () => {
    const { POST } = await import("@/app/api/runbooks/route");
    const bad = await callJson(POST, "/api/runbooks", {
      as: lw.users.operator,
      body: { kind: "queue-backlog", target: { broker: "no-such-broker", queue: "dataset" } },
    });
    expect({ status: bad.status, code: errorCode(bad) }).toEqual({ status: 400, code: "validation" });
    const good = await callJson(POST, "/api/runbooks", {
      as: lw.users.operator,
      body: { kind: "queue-backlog", target: { broker: "default", queue: "dataset" } },
    });
    expect(good.status).toBeLessThan(300);
  });
});

describe("user lifecycle", () => {
  const pw = (name: string) => `the password of ${name}`;
  async function newUser(username: string, role: "viewer" | "operator" | "admin") {
    const { POST } = await import("@/app/api/users/route");
    const r = await callJson<{ user: { id: string } }>(POST, "/api/users", {
      as: lw.users.admin,
      body: { username, password: pw(username), role },
    });
    expect(r.status).toBe(201);
    const signedIn = await login(username, pw(username), "10.9.4.1");
    expect(signedIn.status).toBe(200);
    return r.body.user.id;
  }
  const session = async (username: string) => {
    const { createSession } = await import("@/server/auth/sessions");
    const { findUserByName } = await import("@/server/auth/users");
    const s = await createSession((await findUserByName(username))!.id, "127.0.0.1");
    return { username, role: "viewer" as const, token: s.token, csrfToken: s.csrfToken };
  };
  const whoAmI = async (user: Awaited<ReturnType<typeof session>>) =>
    (await call((await import("@/app/api/auth/session/route")).GET, "/api/auth/session", { as: user })).status;
  const patch = async (id: string, body: unknown, as = lw.users.admin) =>
    callJson((await import("@/app/api/users/[id]/route")).PATCH, `/api/users/${id}`, {
      method: "PATCH",
      as,
      params: { id },
      body,
    });
  const settingsAudit = async (action: string, target: string) =>
    (await lw.auditEntries()).filter((e) => e.event === "settings" && e.action === action && e.target === target);

  it("disables and enables a user: sessions end, sign-in is refused, their tokens stop working, all audited", async () => {
    const id = await newUser("dana", "admin");
    const s = await session("dana");
    const { createApiToken } = await import("@/server/auth/tokens");
    const t = await createApiToken("dana-script", "viewer", "dana", { createdById: id });
    const { GET: sessionGet } = await import("@/app/api/auth/session/route");
    expect((await call(sessionGet, "/api/auth/session", { bearer: t.token, origin: null })).status).toBe(200);

    expect((await patch(id, { disabled: true })).status).toBe(200);
    expect(await whoAmI(s)).toBe(401);
    expect((await login("dana", pw("dana"), "10.9.4.1")).status).toBe(401);
    expect((await call(sessionGet, "/api/auth/session", { bearer: t.token, origin: null })).status).toBe(401);
    expect(await settingsAudit("user.disable", "dana")).toHaveLength(1);

    expect((await patch(id, { disabled: false })).status).toBe(200);
    expect((await login("dana", pw("dana"), "10.9.4.1")).status).toBe(200);
    expect((await call(sessionGet, "/api/auth/session", { bearer: t.token, origin: null })).status).toBe(200);
    expect(await settingsAudit("user.enable", "dana")).toHaveLength(1);
  });

  it("changes a role, ending the user's sessions so the new role applies at once", async () => {
    const id = await newUser("ray", "viewer");
    const s = await session("ray");
    const r = await patch(id, { role: "operator" });
    expect(r.body).toMatchObject({ user: { role: "operator" } });
    expect(await whoAmI(s)).toBe(401);
    expect((await settingsAudit("user.set-role", "ray"))[0]?.params).toEqual({ from: "viewer", to: "operator" });
  });

  it("resets a password: the old one stops working, the new one works, and the password is not in the audit log", async () => {
    const id = await newUser("pat", "viewer");
    const s = await session("pat");
    const { POST } = await import("@/app/api/users/[id]/password/route");
    const fresh = "a brand new password for pat";
    expect(
      (
        await callJson(POST, `/api/users/${id}/password`, {
          as: lw.users.admin,
          params: { id },
          body: { password: fresh },
        })
      ).status,
    ).toBe(200);
    expect(await whoAmI(s)).toBe(401);
    expect((await login("pat", pw("pat"), "10.9.4.2")).status).toBe(401);
    expect((await login("pat", fresh, "10.9.4.2")).status).toBe(200);
    expect(await settingsAudit("user.reset-password", "pat")).toHaveLength(1);
    expect(JSON.stringify(await lw.auditEntries())).not.toContain(fresh);
  });

  it("deletes a user: sessions end and tokens they created are refused", async () => {
    const id = await newUser("del", "admin");
    const s = await session("del");
    const { POST: createToken } = await import("@/app/api/tokens/route");
    const del = { ...s, role: "admin" as const };
    const created = await callJson<{ token: string }>(createToken, "/api/tokens", {
      as: del,
      body: { name: "del-ci", role: "viewer" },
    });
    expect(created.status).toBe(201);
    const { GET: sessionGet } = await import("@/app/api/auth/session/route");
    expect((await call(sessionGet, "/api/auth/session", { bearer: created.body.token, origin: null })).status).toBe(
      200,
    );
    const { DELETE } = await import("@/app/api/users/[id]/route");
    expect(
      (await call(DELETE, `/api/users/${id}`, { method: "DELETE", as: lw.users.admin, params: { id } })).status,
    ).toBe(200);
    expect(await whoAmI(s)).toBe(401);
    expect((await call(sessionGet, "/api/auth/session", { bearer: created.body.token, origin: null })).status).toBe(
      401,
    );
    expect(await settingsAudit("user.delete", "del")).toHaveLength(1);
  });

  it("refuses to disable, demote or delete your own account", async () => {
    const { findUserByName } = await import("@/server/auth/users");
    const me = (await findUserByName(lw.users.admin.username))!;
    expect({ status: (await patch(me.id, { disabled: true })).status }).toEqual({ status: 409 });
    expect({ status: (await patch(me.id, { role: "viewer" })).status }).toEqual({ status: 409 });
  });

  it("refuses a token disabling the admin who created it: that is their own account too", async () => {
    const { findUserByName } = await import("@/server/auth/users");
    const me = (await findUserByName(lw.users.admin.username))!;
    const { createApiToken } = await import("@/server/auth/tokens");
    const t = await createApiToken("my-script", "admin", me.username, { createdById: me.id });
    const r = await callJson((await import("@/app/api/users/[id]/route")).PATCH, `/api/users/${me.id}`, {
      method: "PATCH",
      bearer: t.token,
      origin: null,
      params: { id: me.id },
      body: { disabled: true },
    });
    expect({ status: r.status, code: errorCode(r) }).toEqual({ status: 409, code: "conflict" });
    const { GET: sessionGet } = await import("@/app/api/auth/session/route");
    expect((await call(sessionGet, "/api/auth/session", { as: lw.users.admin })).status).toBe(200);
  });

  it("finds the user by name as well as by id", async () => {
    await newUser("nia", "viewer");
    const r = await patch("nia", { disabled: true });
    expect({ status: r.status, body: r.body }).toMatchObject({
      status: 200,
      body: { user: { username: "nia", disabled: true } },
    });
    expect(await settingsAudit("user.disable", "nia")).toHaveLength(1);
    expect((await patch("no-such-user", { disabled: true })).status).toBe(404);
  });

  it("lets a token expire, and lists its expiry", async () => {
    const { POST, GET } = await import("@/app/api/tokens/route");
    const created = await callJson<{ id: string; token: string; expiresAt: number }>(POST, "/api/tokens", {
      as: lw.users.admin,
      body: { name: "short-lived", role: "viewer", expiresInDays: 1 },
    });
    expect(created.body.expiresAt).toBeGreaterThan(Date.now());
    const listed = await callJson<{ tokens: { id: string; expiresAt: number | null }[] }>(GET, "/api/tokens", {
      as: lw.users.admin,
    });
    expect(listed.body.tokens.find((t) => t.id === created.body.id)?.expiresAt).toBe(created.body.expiresAt);
    const { GET: sessionGet } = await import("@/app/api/auth/session/route");
    expect((await call(sessionGet, "/api/auth/session", { bearer: created.body.token, origin: null })).status).toBe(
      200,
    );
    // A day is too long to wait in a test: move the expiry into the past, as the clock would.
    const { getDb } = await import("@/server/db");
    await (
      await getDb()
    )
      .updateTable("api_tokens")
      .set({ expires_at: Date.now() - 1 })
      .where("id", "=", created.body.id)
      .execute();
    expect((await call(sessionGet, "/api/auth/session", { bearer: created.body.token, origin: null })).status).toBe(
      401,
    );
  });
});

describe("origin and host", () => {
  const post = async (headers: Record<string, string>) => {
    const { POST } = await import("@/app/api/auth/login/route");
    const res = await POST(
      rawRequest(
        "/api/auth/login",
        { "content-type": "application/json", ...headers },
        { method: "POST", body: JSON.stringify({ username: "nobody-at-all", password: "x" }) },
      ),
    );
    return { status: res.status, code: ((await res.json()) as { error?: { code: string } }).error?.code };
  };

  it("refuses a forged Host with a matching Origin (DNS rebinding) and X-Forwarded-Host from anyone but a trusted proxy", async () => {
    expect(await post({ origin: "http://rebound.example:3000", host: "rebound.example:3000" })).toEqual({
      status: 403,
      code: "csrf",
    });
    expect(
      await post({
        origin: "http://rebound.example",
        "x-forwarded-host": "rebound.example",
        "x-leakwatch-peer": "10.9.5.1",
      }),
    ).toEqual({ status: 403, code: "csrf" });
    // Loopback names, when the request went to that same host, are ours.
    expect((await post({ origin: "http://localhost:3000", host: "localhost:3000" })).status).toBe(401);
    expect((await post({ origin: "http://127.0.0.1:3000" })).status).toBe(401);
  });

  it("accepts the configured public URL's origin, listed origins, and X-Forwarded-Host from a trusted proxy", async () => {
    lw.reconfigure({
      LEAKWATCH_PUBLIC_URL: "https://ops.example/leakwatch",
      LEAKWATCH_ALLOWED_ORIGINS: "https://other.example",
      LEAKWATCH_TRUSTED_PROXIES: "10.9.5.9",
    });
    try {
      expect((await post({ origin: "https://ops.example", host: "10.0.0.5:3000" })).status).toBe(401);
      expect((await post({ origin: "https://other.example", host: "10.0.0.5:3000" })).status).toBe(401);
      expect(await post({ origin: "https://third.example", host: "third.example" })).toEqual({
        status: 403,
        code: "csrf",
      });
      expect(
        (
          await post({
            origin: "http://localhost:8080",
            host: "10.0.0.5:3000",
            "x-forwarded-host": "localhost:8080",
            "x-leakwatch-peer": "10.9.5.9",
          })
        ).status,
      ).toBe(401);
      expect(
        await post({
          origin: "http://localhost:8080",
          host: "10.0.0.5:3000",
          "x-forwarded-host": "localhost:8080",
          "x-leakwatch-peer": "10.9.5.8",
        }),
      ).toEqual({ status: 403, code: "csrf" });
    } finally {
      lw.reconfigure({});
    }
  });
});
