// Broker passwords never reach a page, an API body or the server's log (issue 15, point 1). The production
// build is started with broker URLs whose passwords hold the characters that broke the settings page's old
// masking ("@", ":", ";", "%40"), and a viewer walks the pages that show configuration and sources.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, request as playwrightRequest, test, type APIRequestContext } from "@playwright/test";
import { REPO_ROOT } from "../server/testing/harness";

const REDIS = (process.env.LEAKWATCH_TEST_REDIS_URL ?? "redis://127.0.0.1:6391").replace(/\/\d*$/, "");
const REDIS_HOSTPORT = REDIS.replace(/^redis:\/\//, "");
const PORT = 3231;
const ORIGIN = `http://127.0.0.1:${PORT}`;
const ADMIN_PASSWORD = "secrets-admin-password-1";
// Raw in the URL as users paste them; the decoded forms must not show either.
const RAW = ["p@ss:w;rd%40x", "S3cr;et/@:"];
const SECRETS = ["p@ss:w;rd", "rd%40x", "rd@x", "S3cr;et", "et/@:"];
const BROKERS = `vault=redis://:${RAW[0]}@${REDIS_HOSTPORT}/12,sentinels=sentinel://:${encodeURIComponent(RAW[1]!)}@127.0.0.1:1;sentinel://:${RAW[0]}@127.0.0.1:2/3`;

let proc: ChildProcess | undefined;
let dataDir = "";
const serverLog: string[] = [];
let admin: APIRequestContext;

function leaks(text: string): string[] {
  return SECRETS.filter((s) => text.includes(s) || text.includes(encodeURIComponent(s)));
}

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  dataDir = mkdtempSync(path.join(tmpdir(), "lw-secrets-"));
  proc = spawn("node", [".next/standalone/leakwatch-server.mjs"], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      PORT: String(PORT),
      HOSTNAME: "127.0.0.1",
      LEAKWATCH_DATA_DIR: dataDir,
      LEAKWATCH_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LEAKWATCH_SAMPLE_INTERVAL_MS: "1000",
      LEAKWATCH_BROKERS: BROKERS,
      LEAKWATCH_LOG_LEVEL: "debug",
    },
  });
  const keep = (d: Buffer) => serverLog.push(d.toString());
  proc.stdout!.on("data", keep);
  proc.stderr!.on("data", keep);
  admin = await playwrightRequest.newContext({ baseURL: ORIGIN });
  await expect
    .poll(async () => (await admin.get("/api/health").catch(() => null))?.status() ?? 0, {
      timeout: 90_000,
      message: serverLog.join(""),
    })
    .toBe(200);
});

test.afterAll(async () => {
  await admin?.dispose().catch(() => undefined);
  try {
    if (proc?.pid) process.kill(-proc.pid, "SIGKILL");
  } catch {
    /* already gone */
  }
  rmSync(dataDir, { recursive: true, force: true });
});

test("a viewer sees brokers without their passwords on every page, body and log line", async ({ browser }) => {
  const login = await admin.post("/api/auth/login", {
    data: { username: "admin", password: ADMIN_PASSWORD },
    headers: { origin: ORIGIN },
  });
  expect(login.ok()).toBeTruthy();
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const viewer = { username: "secrets-viewer", password: "secrets-viewer-password-1" };
  const created = await admin.post("/api/users", {
    data: { ...viewer, role: "viewer" },
    headers: { origin: ORIGIN, "x-csrf-token": csrfToken },
  });
  expect(created.status()).toBe(201);

  const context = await browser.newContext({ baseURL: ORIGIN });
  const page = await context.newPage();
  const bodies: string[] = [];
  page.on("response", async (r) => {
    const t = await r.text().catch(() => "");
    bodies.push(`${r.url()}\n${t}`);
  });
  await page.goto("/login");
  await page.getByLabel("Username").fill(viewer.username);
  await page.getByLabel("Password").fill(viewer.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();

  await page.goto("/settings");
  const config = page.getByRole("region", { name: "Configuration" }).or(page.locator("section[aria-labelledby=cfg]"));
  await expect(config).toContainText(`vault = redis://:***@${REDIS_HOSTPORT}/12`);
  await expect(config).toContainText("sentinel://:***@127.0.0.1:1;sentinel://:***@127.0.0.1:2/3");
  expect(leaks(await page.content())).toEqual([]);

  for (const p of ["/", "/queues", "/alerts", "/audit"]) {
    await page.goto(p);
    await page.waitForLoadState("networkidle").catch(() => undefined);
    expect(leaks(await page.content()), `page ${p}`).toEqual([]);
  }
  for (const api of ["/api/health", "/api/queues", "/api/workers", "/api/alerts", "/metrics"]) {
    const r = await page.request.get(api);
    expect(leaks(await r.text()), `body of ${api}`).toEqual([]);
  }
  // Give the samplers time to fail on the sentinels and log it.
  await page.waitForTimeout(3000);
  expect(leaks(bodies.join("\n")), "a response the browser received").toEqual([]);
  expect(leaks(serverLog.join("")), "the server log").toEqual([]);
  await context.close();
});
