import { expect, type APIRequestContext, type Page } from "@playwright/test";
import { E2E_ADMIN_PASSWORD } from "../playwright.config";

// Shared steps for e2e tests: sign in through the real form, and make users through the real admin API.

const ADMIN = { username: "admin", password: E2E_ADMIN_PASSWORD };

export async function login(page: Page, user = ADMIN): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Username").fill(user.username);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
}

/** An API session as admin: returns the csrf token for mutating calls. */
export async function adminApi(request: APIRequestContext): Promise<{ csrf: string }> {
  const res = await request.post("/api/auth/login", { data: ADMIN, headers: { origin: originOf(request) } });
  expect(res.ok()).toBeTruthy();
  return { csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
}

function originOf(_request: APIRequestContext): string {
  return `http://127.0.0.1:${process.env.LEAKWATCH_E2E_PORT ?? 3200}`;
}

/** Creates a user (idempotent across tests: 409 is fine). */
export async function ensureUser(
  request: APIRequestContext,
  username: string,
  role: "viewer" | "operator" | "admin",
): Promise<{ username: string; password: string }> {
  const { csrf } = await adminApi(request);
  const password = `${username}-password-12`;
  const res = await request.post("/api/users", {
    data: { username, password, role },
    headers: { origin: originOf(request), "x-csrf-token": csrf },
  });
  expect([201, 409]).toContain(res.status());
  return { username, password };
}

/** Collects console errors of a page so a test can assert there were none. */
export function collectConsoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`${page.url()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`${page.url()}: ${e.message}`));
  return errors;
}
