// First load to usable, on localhost: a fresh browser context per run (empty HTTP cache, signed-in cookie), a
// cold navigation, and the page's own clocks: Navigation Timing, first contentful paint, and the moment the
// first data element (a container row, the overview's panel) is in the DOM, from a MutationObserver in the page.
import type { Browser } from "@playwright/test";
import { median, round } from "../lib/stats";
import { VIEWPORT, type StorageState } from "./chromium";
import { cpuMeter } from "./cpu-meter";
import { probeScript } from "./probe";

export interface FirstLoad {
  route: string;
  readySelector: string;
  runs: number;
  /** Medians over the runs, ms from navigation start. */
  responseStartMs: number;
  domContentLoadedMs: number;
  loadEventEndMs: number;
  firstContentfulPaintMs: number;
  dataVisibleMs: number;
  dataVisibleAllMs: number[];
  /** Renderer main-thread CPU from navigation to data visible (plus the read-out), median. */
  mainThreadCpuMs: number;
}

const TIMINGS = (selector: string) => `(() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
  return { responseStart: nav.responseStart, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
    fcp: fcp ? fcp.startTime : NaN, data: window.__lw.seen[${JSON.stringify(selector)}] ?? NaN };
})()`;

interface Run {
  responseStart: number;
  dcl: number;
  load: number;
  fcp: number;
  data: number;
  cpuMs: number;
}

export async function measureFirstLoad(
  browser: Browser,
  baseUrl: string,
  state: StorageState,
  route: string,
  readySelector: string,
  runs = 5,
): Promise<FirstLoad> {
  const results: Run[] = [];
  // One unmeasured run first: the server loads the route's modules once; the browser side stays cold every time.
  for (let i = 0; i < runs + 1; i++) {
    const context = await browser.newContext({ baseURL: baseUrl, viewport: VIEWPORT, storageState: state });
    try {
      const page = await context.newPage();
      await page.addInitScript({ content: probeScript([readySelector]) });
      const meter = await cpuMeter(page);
      await page.goto(route, { waitUntil: "load" });
      await page.locator(readySelector).first().waitFor({ timeout: 30_000 });
      await page.waitForFunction(`window.__lw.seen[${JSON.stringify(readySelector)}] !== undefined`);
      const cpuMs = (await meter.read()).taskMs;
      const r = { ...((await page.evaluate(TIMINGS(readySelector))) as Omit<Run, "cpuMs">), cpuMs };
      if (i > 0) results.push(r);
    } finally {
      await context.close();
    }
  }
  const m = (pick: (r: Run) => number) => round(median(results.map(pick)));
  return {
    route,
    readySelector,
    runs,
    responseStartMs: m((r) => r.responseStart),
    domContentLoadedMs: m((r) => r.dcl),
    loadEventEndMs: m((r) => r.load),
    firstContentfulPaintMs: m((r) => r.fcp),
    dataVisibleMs: m((r) => r.data),
    dataVisibleAllMs: results.map((r) => round(r.data)),
    mainThreadCpuMs: m((r) => r.cpuMs),
  };
}
