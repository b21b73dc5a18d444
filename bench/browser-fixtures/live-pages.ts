// A few real Chromium tabs with the containers page open during the SSE load: the app's own EventSource and
// query-cache path, with every "containers" frame it receives timestamped by a wrapper around EventSource.
import type { Browser, Page } from "@playwright/test";
import { VIEWPORT, type StorageState } from "./chromium";

const SSE_TAP = `(() => {
  const Original = window.EventSource;
  const arrivals = (window.__lwSse = []);
  window.EventSource = class extends Original {
    constructor(url, init) { super(url, init); this.addEventListener("containers", () => arrivals.push(Date.now())); }
  };
})();`;

export interface LivePages {
  pages: Page[];
  arrivals(): Promise<number[][]>;
  close(): Promise<void>;
}

export async function openLivePages(
  browser: Browser,
  baseUrl: string,
  state: StorageState,
  count: number,
): Promise<LivePages> {
  const contexts = await Promise.all(
    Array.from({ length: count }, () =>
      browser.newContext({ baseURL: baseUrl, viewport: VIEWPORT, storageState: state }),
    ),
  );
  const pages = await Promise.all(
    contexts.map(async (c) => {
      const page = await c.newPage();
      await page.addInitScript({ content: SSE_TAP });
      await page.goto("/containers");
      // the filter form renders once the fleet snapshot is in (with or without container rows)
      await page.locator('form[aria-label="Filter containers"]').waitFor({ timeout: 30_000 });
      return page;
    }),
  );
  return {
    pages,
    arrivals: () => Promise.all(pages.map((p) => p.evaluate("window.__lwSse.slice()") as Promise<number[]>)),
    close: async () => {
      await Promise.all(contexts.map((c) => c.close()));
    },
  };
}
