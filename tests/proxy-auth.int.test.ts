import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as sessionGET } from "@/app/api/auth/session/route";
import { PATCH as userPATCH } from "@/app/api/users/[id]/route";
import { dbHeadStore } from "@/server/audit/db-head-store";
import { openAuditLog, setAuditLog } from "@/server/audit/service";
import { createApiToken } from "@/server/auth/tokens";
import { createUser } from "@/server/auth/users";
import { closeDb, getDb } from "@/server/db";
import { ORIGIN, testConfig } from "@/server/testing/console";

// Sign-in by a reverse proxy's headers counts only when the connection itself comes from a listed proxy:
// the peer address stamped by the server entry, never a client-sent X-Forwarded-For.

const session = (headers: Record<string, string>) =>
  sessionGET(
    new Request("http://127.0.0.1:3000/api/auth/session", { headers: { host: "127.0.0.1:3000", ...headers } }),
  );

beforeAll(async () => {
  const dataDir = testConfig({
    LEAKWATCH_TRUSTED_PROXIES: "10.9.9.9",
    LEAKWATCH_PROXY_USER_HEADER: "x-auth-user",
    LEAKWATCH_PROXY_ROLE_HEADER: "x-auth-role",
  });
  await getDb();
  // User changes are audited before they happen: without an audit log they are refused.
  setAuditLog(
    await openAuditLog({
      dir: path.join(dataDir, "audit"),
      key: "k".repeat(32),
      headStore: dbHeadStore("proxy-auth"),
      instance: "proxy-auth",
    }),
  );
});

afterAll(async () => {
  setAuditLog(null);
  await closeDb();
});

const asProxy = (user: string, role: string) => ({
  "x-leakwatch-peer": "10.9.9.9",
  "x-auth-user": user,
  "x-auth-role": role,
});

/** PATCH /api/users/{ref} from a browser behind the proxy, signed in there as `user`. */
async function patchUser(ref: string, body: unknown, user: string, role = "admin") {
  const res = await userPATCH(
    new Request(`${ORIGIN}/api/users/${encodeURIComponent(ref)}`, {
      method: "PATCH",
      headers: { host: "127.0.0.1:3000", origin: ORIGIN, "content-type": "application/json", ...asProxy(user, role) },
      body: JSON.stringify(body),
    }),
    { params: Promise.resolve({ id: ref }) },
  );
  return { status: res.status, body: (await res.json()) as { error?: { message: string } } };
}

describe("trusted proxy sign-in", () => {
  it("accepts the user and role headers from the proxy's own address", async () => {
    const res = await session({ "x-leakwatch-peer": "10.9.9.9", "x-auth-user": "alice", "x-auth-role": "operator" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ user: { username: "alice", via: "proxy" }, role: "operator" });
  });

  it("ignores them from any other peer, whatever X-Forwarded-For claims", async () => {
    expect(
      (
        await session({
          "x-leakwatch-peer": "127.0.0.1",
          "x-forwarded-for": "10.9.9.9",
          "x-auth-user": "alice",
          "x-auth-role": "admin",
        })
      ).status,
    ).toBe(401);
    expect(
      (await session({ "x-forwarded-for": "10.9.9.9", "x-auth-user": "alice", "x-auth-role": "admin" })).status,
    ).toBe(401);
  });

  it("refuses a role the console does not know", async () => {
    expect(
      (await session({ "x-leakwatch-peer": "10.9.9.9", "x-auth-user": "alice", "x-auth-role": "root" })).status,
    ).toBe(401);
  });
});

describe("a console account an admin disables", () => {
  it("refuses the proxy user of that name and the tokens they created, until it is enabled again", async () => {
    await createUser({ username: "carol", password: "the password of carol", role: "operator" });
    const t = await createApiToken("carol-ci", "viewer", "carol", { createdById: "proxy:carol" });
    const bearer = async () => (await session({ authorization: `Bearer ${t.token}` })).status;
    expect((await session(asProxy("carol", "operator"))).status).toBe(200);
    expect(await bearer()).toBe(200);

    expect((await patchUser("carol", { disabled: true }, "boss")).status).toBe(200);
    expect((await session(asProxy("carol", "operator"))).status).toBe(401);
    expect(await bearer()).toBe(401);

    expect((await patchUser("carol", { disabled: false }, "boss")).status).toBe(200);
    expect((await session(asProxy("carol", "operator"))).status).toBe(200);
    expect(await bearer()).toBe(200);
  });

  it("is never the last enabled admin, nor the caller's own", async () => {
    await createUser({ username: "root", password: "the password of root", role: "admin" });
    const last = await patchUser("root", { disabled: true }, "boss");
    expect({ status: last.status, message: last.body.error?.message }).toEqual({
      status: 409,
      message: "root is the last enabled admin; make another admin first.",
    });
    await createUser({ username: "deputy", password: "the password of deputy", role: "admin" });
    const own = await patchUser("deputy", { disabled: true }, "deputy");
    expect({ status: own.status, message: own.body.error?.message }).toEqual({
      status: 409,
      message: "You cannot disable your own account; ask another admin.",
    });
    // With a second admin, the first may go.
    expect((await patchUser("root", { disabled: true }, "deputy")).status).toBe(200);
    expect((await patchUser("nobody", { disabled: true }, "deputy")).status).toBe(404);
  });
});
