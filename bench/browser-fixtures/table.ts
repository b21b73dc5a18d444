// The fleet table with 1,000 containers: the real page and table code, fed synthetic rows by intercepting
// GET /api/containers and /api/events. The event stream is answered with one "containers" frame and a retry
// delay, so EventSource reconnects after `retry` ms and gets the next frame: with retry 1000 that is one live
// update per second, as at a 1 s sample interval; with a long retry the table stays still.
// The scroll box is driven from requestAnimationFrame from top to bottom in 3 s (a fast fling through all rows).
import type { Browser } from "@playwright/test";
import { round, summary } from "../lib/stats";
import { VIEWPORT, type StorageState } from "./chromium";
import { cpuBetween, cpuMeter } from "./cpu-meter";
import { DUMP, probeScript, windowOf, type ProbeDump } from "./probe";
import { syntheticFleet } from "./synthetic-fleet";

const ROWS = 1000;
const SCROLL_MS = 3000;
const ROW = "[data-testid^=container-row-]";

const SCROLL = `new Promise((resolve) => {
  const box = document.querySelector(${JSON.stringify(ROW)}).closest("div.overflow-auto");
  const max = box.scrollHeight - box.clientHeight;
  let maxRows = 0;
  const t0 = performance.now();
  const step = (t) => {
    const p = Math.min(1, (t - t0) / ${SCROLL_MS});
    box.scrollTop = p * max;
    maxRows = Math.max(maxRows, document.querySelectorAll(${JSON.stringify(ROW)}).length);
    if (p < 1) requestAnimationFrame(step);
    else setTimeout(() => resolve({ t0, t1: performance.now(), maxRows, scrolledPx: box.scrollTop, lastRowIndex: Number([...box.querySelectorAll("tbody tr[aria-rowindex]")].pop()?.getAttribute("aria-rowindex") ?? 0) }), 0);
  };
  requestAnimationFrame(step);
})`;

async function phase(browser: Browser, baseUrl: string, state: StorageState, live: boolean) {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: VIEWPORT, storageState: state });
  let tick = 0;
  let framesServed = 0;
  try {
    const page = await context.newPage();
    await page.addInitScript({ content: probeScript([ROW]) });
    await page.route(/\/api\/containers(\?.*)?$/, (route) => route.fulfill({ json: syntheticFleet(ROWS, tick) }));
    await page.route(/\/api\/events(\?.*)?$/, (route) => {
      framesServed++;
      const body = `retry: ${live ? 1000 : 3_600_000}\n\nevent: containers\ndata: ${JSON.stringify(syntheticFleet(ROWS, ++tick))}\n\n`;
      return route.fulfill({
        status: 200,
        headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
        body,
      });
    });
    await page.goto("/containers");
    await page.locator(ROW).first().waitFor({ timeout: 30_000 });
    const shownRows = await page.locator(ROW).count();
    await page.waitForTimeout(1500);
    const served0 = framesServed;
    const meter = await cpuMeter(page);
    const cpu0 = await meter.read();
    const s = (await page.evaluate(SCROLL)) as {
      t0: number;
      t1: number;
      maxRows: number;
      scrolledPx: number;
      lastRowIndex: number;
    };
    const cpu = cpuBetween(cpu0, await meter.read());
    const dump = (await page.evaluate(DUMP)) as ProbeDump;
    const w = windowOf(dump, s.t0, s.t1);
    return {
      mode: live ? "live, 1 update/s" : "static",
      rowsInDomAfterLoad: shownRows,
      maxRowsInDomWhileScrolling: s.maxRows,
      reachedRow: s.lastRowIndex - 1,
      updatesDuringScroll: framesServed - served0,
      frameMs: summary(w.frameDeltasMs),
      frames: w.frameDeltasMs.length,
      mainThreadCpuMs: cpu,
      framesOver20Ms: w.frameDeltasMs.filter((d) => d > 20).length,
      longTasks: w.longTasksMs.length,
      longestTaskMs: w.longTasksMs.length ? round(Math.max(...w.longTasksMs)) : 0,
      firstRowAfterNavMs: round(dump.seen[ROW] ?? NaN),
    };
  } finally {
    await context.close();
  }
}

export async function measureBigTable(browser: Browser, baseUrl: string, state: StorageState) {
  return {
    rows: ROWS,
    scrollMs: SCROLL_MS,
    phases: [await phase(browser, baseUrl, state, false), await phase(browser, baseUrl, state, true)],
  };
}

export type BigTableResult = Awaited<ReturnType<typeof measureBigTable>>;
