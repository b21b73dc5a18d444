import { expect, test } from "@playwright/test";
import { collectConsoleErrors, login } from "./support";

test("nobody reaches data before login", async ({ page, request }) => {
  await page.goto("/containers");
  await expect(page).toHaveURL(/\/login$/);
  const api = await request.get("/api/containers");
  expect(api.status()).toBe(401);
  expect(await api.json()).toEqual({ error: { code: "unauthenticated", message: expect.any(String) } });
});

test("signs in and sees the dark shell with every source's state", async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await login(page);
  const nav = page.getByRole("navigation", { name: "Main" });
  for (const item of ["Overview", "Containers", "Queues", "Workers", "Alerts", "Runbooks", "Audit", "Settings"])
    await expect(nav.getByRole("link", { name: item })).toBeVisible();
  // Every configured source shows in the status strip, up (the harness runs dockerd and Redis).
  for (const id of [
    "source-docker-local",
    "source-redis-default",
    "source-database-console-db",
    "source-audit-audit-log",
  ])
    await expect(page.getByTestId(id)).toHaveAttribute("data-ok", "true");
  await expect(page.locator("html")).toHaveClass(/dark/);
  // Resolve the body's colour (Tailwind 4 writes oklch) to RGB through a canvas: a dark page, not merely a class.
  const [r, g, b] = await page.evaluate(() => {
    const ctx = document.createElement("canvas").getContext("2d")!;
    ctx.fillStyle = getComputedStyle(document.body).backgroundColor;
    ctx.fillRect(0, 0, 1, 1);
    return [...ctx.getImageData(0, 0, 1, 1).data.slice(0, 3)];
  });
  expect(r! + g! + b!).toBeLessThan(120);
  await page.screenshot({ path: "test-results/shell-dark.png", fullPage: true });
  expect(errors).toEqual([]);
});

test("works on a phone: the menu opens and the pages fit", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await login(page);
  await page.getByRole("button", { name: "Menu" }).click();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Queues" }).click();
  await expect(page).toHaveURL(/\/queues$/);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(1);
});

test("a skip link, shown on focus, takes keyboard users past the menu to the page's content", async ({ page }) => {
  await login(page);
  await page.goto("/containers");
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  expect((await skip.boundingBox())!.width).toBeGreaterThan(40); // not the 1px screen-reader-only box
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/#main$/);
  await expect(page.locator("main#main")).toBeFocused();
});

test("the theme can be switched to light and stays so", async ({ page }) => {
  await login(page);
  await page.getByRole("button", { name: "Light theme" }).click();
  await expect(page.locator("html")).not.toHaveClass(/dark/);
  await page.reload();
  await expect(page.locator("html")).not.toHaveClass(/dark/);
  await page.getByRole("button", { name: "Dark theme" }).click();
  await expect(page.locator("html")).toHaveClass(/dark/);
});

test("health answers without a session", async ({ request }) => {
  const res = await request.get("/api/health");
  expect(res.status()).toBe(200);
  const body = (await res.json()) as { sources: { kind: string; name: string; ok: boolean }[] };
  expect(body.sources.map((s) => `${s.kind}:${s.name}`).sort()).toEqual([
    "audit:audit-log",
    "database:console-db",
    "docker:local",
    "redis:default",
    // The result backend the e2e console reads failures from (playwright.config.ts: db 3), a source of its own.
    "redis:default#results",
  ]);
});

test("a path that is not valid percent-encoded UTF-8 gets a 400 (the API error shape, or a page), not a bare 500", async ({
  request,
}) => {
  const res = await request.get("/api/queues/default/%ff%fe");
  expect(res.status()).toBe(400);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe("validation");
  // Pages too, signed in or not: a 400 that says what is wrong, never a bare 500.
  for (const path of ["/queues/default/%ZZ", "/containers/local/%ff", "/workers/default/%e0%80"]) {
    const page = await request.get(path);
    expect(page.status(), path).toBe(400);
    expect(await page.text(), path).toContain("not valid percent-encoded UTF-8");
  }
});
