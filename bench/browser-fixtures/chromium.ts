// Debian's Chromium driven by Playwright (no downloaded browsers), the flags the e2e suite uses, and a signed-in
// storage state made through the real login form so every measured context starts cold but logged in.
import { chromium, type Browser, type BrowserContextOptions } from "@playwright/test";

export type StorageState = Exclude<BrowserContextOptions["storageState"], string | undefined>;

export const VIEWPORT = { width: 1280, height: 800 };

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

export async function signedInState(
  browser: Browser,
  baseUrl: string,
  username: string,
  password: string,
): Promise<StorageState> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    await page.goto("/login");
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("navigation", { name: "Main" }).waitFor({ timeout: 30_000 });
    return await context.storageState();
  } finally {
    await context.close();
  }
}
