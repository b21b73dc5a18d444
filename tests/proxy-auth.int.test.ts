import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as sessionGET } from "@/app/api/auth/session/route";
import { closeDb, getDb } from "@/server/db";
import { testConfig } from "./support/console";

// Sign-in by a reverse proxy's headers counts only when the connection itself comes from a listed proxy:
// the peer address stamped by the server entry, never a client-sent X-Forwarded-For.

const session = (headers: Record<string, string>) =>
  sessionGET(
    new Request("http://127.0.0.1:3000/api/auth/session", { headers: { host: "127.0.0.1:3000", ...headers } }),
  );

beforeAll(async () => {
  testConfig({
    LEAKWATCH_TRUSTED_PROXIES: "10.9.9.9",
    LEAKWATCH_PROXY_USER_HEADER: "x-auth-user",
    LEAKWATCH_PROXY_ROLE_HEADER: "x-auth-role",
  });
  await getDb();
});

afterAll(async () => {
  await closeDb();
});

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
