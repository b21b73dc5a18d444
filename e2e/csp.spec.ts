import { expect, test } from "@playwright/test";
import { collectConsoleErrors, login } from "./support";

// Every page under the Content-Security-Policy: served with a nonce, its scripts run (the page hydrates and signs in
// through the client-side form), and the browser reports no violation.

const PAGES = [
  "/",
  "/containers",
  "/queues",
  "/workers",
  "/alerts",
  "/runbooks",
  "/runbooks/new",
  "/audit",
  "/settings",
];

test("every page works under a nonce-based Content-Security-Policy", async ({ page }) => {
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const errors = collectConsoleErrors(page);
  const violations = async () => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);

  const loginPage = await page.goto("/login");
  const csp = loginPage!.headers()["content-security-policy"] ?? "";
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  // The nonce in the header is the one on the page's scripts, and it is fresh per response.
  const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
  // (Read from the HTML as served: browsers hide a nonce attribute's value from the DOM.)
  expect(await loginPage!.text()).toMatch(new RegExp(`<script[^>]* nonce="${nonce.replace(/[+/=]/g, "\\$&")}"`));
  const again = await page.request.get("/login");
  expect(again.headers()["content-security-policy"]).not.toContain(nonce);
  expect(await violations()).toEqual([]);

  // Signing in goes through the client-side form (fetch + CSRF): it only works if the page's scripts ran.
  await login(page);
  for (const path of PAGES) {
    const res = await page.goto(path);
    expect({ path, status: res!.status() }).toEqual({ path, status: 200 });
    expect(res!.headers()["content-security-policy"]).toContain("'strict-dynamic'");
    await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
    expect({ path, violations: await violations() }).toEqual({ path, violations: [] });
  }
  expect(errors.filter((e) => /Content Security Policy|Refused to (execute|load|apply)/i.test(e))).toEqual([]);
});
