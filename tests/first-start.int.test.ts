import { afterAll, describe, expect, it, vi } from "vitest";
import { POST as loginPOST } from "@/app/api/auth/login/route";
import { POST as setupPOST } from "@/app/api/setup/route";
import path from "node:path";
import { dbHeadStore } from "@/server/audit/db-head-store";
import { openAuditLog, setAuditLog } from "@/server/audit/service";
import { ensureFirstAdmin, trackAccountsReady } from "@/server/auth/bootstrap";
import { countUsers } from "@/server/auth/users";
import { closeDb } from "@/server/db";
import { ORIGIN, testConfig } from "@/server/testing/console";

// First start without LEAKWATCH_ADMIN_PASSWORD: a one-time setup link in the log, used once, creates the admin.

const post = (handler: (r: Request) => Promise<Response>, path: string, body: unknown) =>
  handler(
    new Request(`${ORIGIN}${path}`, {
      method: "POST",
      headers: { origin: ORIGIN, host: "127.0.0.1:3000", "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  );

afterAll(async () => {
  setAuditLog(null);
  await closeDb();
});

describe("first start", () => {
  it("prints a one-time setup link that creates the admin once", async () => {
    const dataDir = testConfig({ LEAKWATCH_ADMIN_PASSWORD: "" });
    setAuditLog(
      await openAuditLog({
        dir: path.join(dataDir, "audit"),
        key: "k".repeat(32),
        headStore: dbHeadStore("first-start"),
        instance: "first-start",
      }),
    );
    const printed: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void printed.push(a.join(" ")));
    await ensureFirstAdmin();
    spy.mockRestore();
    const link = printed.join("\n").match(/http:\/\/127\.0\.0\.1:3000\/setup\?token=([\w-]+)/);
    expect(link).not.toBeNull();
    const token = link![1]!;
    expect(await countUsers()).toBe(0);

    const bad = await post(setupPOST, "/api/setup", {
      token: "x".repeat(43),
      username: "boss",
      password: "first-admin-password",
    });
    expect(bad.status).toBe(403);
    const short = await post(setupPOST, "/api/setup", { token, username: "boss", password: "short" });
    expect(short.status).toBe(400);

    const ok = await post(setupPOST, "/api/setup", { token, username: "boss", password: "first-admin-password" });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("set-cookie")).toMatch(/lw_session=.+HttpOnly; SameSite=Strict/);
    expect(await countUsers()).toBe(1);

    const again = await post(setupPOST, "/api/setup", { token, username: "intruder", password: "another-password-1" });
    expect(again.status).toBe(403);
    expect(await countUsers()).toBe(1);

    const login = await post(loginPOST, "/api/auth/login", { username: "boss", password: "first-admin-password" });
    expect(login.status).toBe(200);
    expect(((await login.json()) as { user: { role: string } }).user.role).toBe("admin");
  });

  it("lets a sign-in sent while the admin from LEAKWATCH_ADMIN_PASSWORD is still being created wait for it", async () => {
    await closeDb();
    testConfig({ LEAKWATCH_ADMIN_PASSWORD: "env-admin-password-1" });
    expect(await countUsers()).toBe(0);
    // As start-up does: the step is handed over, then a browser signs in before the password hash is written.
    const creating = ensureFirstAdmin();
    trackAccountsReady(creating);
    const login = await post(loginPOST, "/api/auth/login", { username: "admin", password: "env-admin-password-1" });
    await creating;
    expect(login.status).toBe(200);
    trackAccountsReady(new Promise(() => {}));
    const { accountsReady } = await import("@/server/auth/bootstrap");
    await expect(accountsReady(50)).rejects.toMatchObject({ code: "starting", status: 503 });
    trackAccountsReady(Promise.resolve());
  });
});
