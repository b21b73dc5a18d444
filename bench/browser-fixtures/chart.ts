// The pids chart (uPlot, components/charts/time-series.tsx) with a day of 5-second points on the real container
// page: click the 24 h range, wait until the summary under the chart counts the points and two frames have
// passed, then keep recording through 5 s of live samples (each one a setData over the whole day).
// Long tasks come from PerformanceObserver, frame times from requestAnimationFrame deltas.
import type { Browser } from "@playwright/test";
import { median, round, summary } from "../lib/stats";
import { VIEWPORT, type StorageState } from "./chromium";
import { cpuBetween, cpuMeter, type CpuReading } from "./cpu-meter";
import { dayOfPoints, DAY_POINTS, firstRealSampleMs, seedContainerDay } from "./history-seed";
import { DUMP, probeScript, windowOf, type ProbeDump } from "./probe";

export interface ChartTarget {
  host: string;
  id: string;
  name: string;
  limit: number;
}

const MIN_POINTS = Math.floor(DAY_POINTS * 0.95);
const LIVE_MS = 5000;

// Clicks 24h and resolves once the summary reports at least MIN_POINTS points and two frames were drawn.
const DRAW_DAY = `new Promise((resolve, reject) => {
  const summaryEl = () => document.querySelector("[data-testid=pids-chart-summary]");
  const count = () => Number(((summaryEl() && summaryEl().textContent) || "").split(" ")[0].replace(/[^0-9]/g, "")) || 0;
  const timer = setTimeout(() => reject(new Error("the 24 h chart never reported ${MIN_POINTS} points: " + count())), 60000);
  const t0 = performance.now();
  document.querySelector("[data-testid=range-24h]").click();
  const observer = new MutationObserver(() => check());
  const check = () => {
    const n = count();
    if (n < ${MIN_POINTS}) return;
    observer.disconnect();
    clearTimeout(timer);
    requestAnimationFrame(() => requestAnimationFrame(() => {
      const t1 = performance.now();
      const updates = (window.__lwChartUpdates = []);
      new MutationObserver(() => updates.push(performance.now())).observe(summaryEl(), { childList: true, subtree: true, characterData: true });
      const fetched = performance.getEntriesByType("resource").find((e) => e.name.includes("range=24h"));
      resolve({ t0, t1, points: n, fetchMs: fetched ? fetched.duration : null, fetchKiB: fetched ? fetched.encodedBodySize / 1024 : null });
    }));
  };
  observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  check();
})`;

interface Rep {
  drawCpu: CpuReading;
  liveCpu: CpuReading;
  drawMs: number;
  fetchMs: number | null;
  fetchKiB: number | null;
  points: number;
  draw: ReturnType<typeof windowOf>;
  live: ReturnType<typeof windowOf>;
  liveUpdates: number;
}

export async function measureDayChart(
  browser: Browser,
  baseUrl: string,
  state: StorageState,
  target: ChartTarget,
  dataDir: string | undefined,
  reps = 3,
) {
  const out: Rep[] = [];
  const dayEndMs = dataDir ? firstRealSampleMs(dataDir, target.host, target.id) : 0;
  for (let i = 0; i < reps; i++) {
    // Re-seeded every rep: compaction may have folded the previous rows into minute buckets meanwhile.
    const seeded = dataDir ? seedContainerDay(dataDir, target.host, target.id, target.name, target.limit, dayEndMs) : 0;
    const context = await browser.newContext({ baseURL: baseUrl, viewport: VIEWPORT, storageState: state });
    try {
      const page = await context.newPage();
      await page.addInitScript({ content: probeScript() });
      if (!dataDir) {
        // No access to the server's database: serve the real detail response with a synthetic day spliced in.
        await page.route(/\/api\/containers\/[^/]+\/[^/?]+\?range=24h/, async (route) => {
          const res = await route.fetch();
          const body = (await res.json()) as { history: unknown[] };
          body.history = dayOfPoints(Date.now() - 5000, target.limit);
          await route.fulfill({ response: res, json: body });
        });
      }
      await page.goto(`/containers/${encodeURIComponent(target.host)}/${encodeURIComponent(target.id)}`);
      await page.locator("[data-testid=pids-chart] canvas").first().waitFor({ timeout: 30_000 });
      await page.waitForTimeout(500);
      const meter = await cpuMeter(page);
      const c0 = await meter.read();
      const d = (await page.evaluate(DRAW_DAY)) as {
        t0: number;
        t1: number;
        points: number;
        fetchMs: number | null;
        fetchKiB: number | null;
      };
      const c1 = await meter.read();
      await page.waitForTimeout(LIVE_MS);
      const c2 = await meter.read();
      await page.waitForTimeout(200);
      const dump = (await page.evaluate(DUMP)) as ProbeDump;
      const liveUpdates = (await page.evaluate("window.__lwChartUpdates.length")) as number;
      out.push({
        drawCpu: cpuBetween(c0, c1),
        liveCpu: cpuBetween(c1, c2),
        drawMs: d.t1 - d.t0,
        fetchMs: d.fetchMs,
        fetchKiB: d.fetchKiB,
        points: d.points,
        draw: windowOf(dump, d.t0, d.t1),
        live: windowOf(dump, d.t1, d.t1 + LIVE_MS),
        liveUpdates,
      });
      if (dataDir && seeded === 0) throw new Error("seeded no history rows");
    } finally {
      await context.close();
    }
  }
  const maxOf = (v: number[]) => (v.length ? round(Math.max(...v)) : 0);
  const liveFrames = out.flatMap((r) => r.live.frameDeltasMs);
  return {
    source: dataDir
      ? "console SQLite history (raw 5 s rows), served by the real API"
      : "real API response with a synthetic day spliced in (page.route)",
    reps,
    points: out.map((r) => r.points),
    clickToDrawnMs: { median: round(median(out.map((r) => r.drawMs))), all: out.map((r) => round(r.drawMs)) },
    historyFetchMs: round(median(out.map((r) => r.fetchMs ?? NaN))),
    historyFetchKiB: round(median(out.map((r) => r.fetchKiB ?? NaN))),
    drawLongestTaskMs: maxOf(out.flatMap((r) => r.draw.longTasksMs)),
    drawMainThreadCpuMs: round(median(out.map((r) => r.drawCpu.taskMs))),
    drawScriptCpuMs: round(median(out.map((r) => r.drawCpu.scriptMs))),
    drawLongTasksTotalMs: round(median(out.map((r) => r.draw.longTasksMs.reduce((a, b) => a + b, 0)))),
    live: {
      updatesIn5s: out.map((r) => r.liveUpdates),
      frameMs: summary(liveFrames),
      mainThreadCpuMsPer5s: round(median(out.map((r) => r.liveCpu.taskMs))),
      mainThreadCpuMsPerUpdate: round(median(out.map((r) => r.liveCpu.taskMs / Math.max(1, r.liveUpdates)))),
      longTasks: out.reduce((n, r) => n + r.live.longTasksMs.length, 0),
      longestTaskMs: maxOf(out.flatMap((r) => r.live.longTasksMs)),
    },
  };
}

export type DayChartResult = Awaited<ReturnType<typeof measureDayChart>>;
