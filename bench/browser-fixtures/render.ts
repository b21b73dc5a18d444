// Markdown tables for the browser bench (BENCHMARKS.md pastes these as they are).
import type { DayChartResult } from "./chart";
import type { FirstLoad } from "./first-load";
import type { RouteJs } from "./js-size";
import type { BigTableResult } from "./table";

interface BrowserResults {
  chromium: string;
  viewport: string;
  machineLoad: { cpus: number; loadAvg1mStart: number; loadAvg1mEnd: number };
  jsPerRoute: RouteJs[];
  firstLoad: FirstLoad[];
  chart: DayChartResult;
  table: BigTableResult;
}

const table = (head: string[], rows: (string | number)[][]) =>
  [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join(
    "\n",
  );
const fm = (s: { median: number; p95: number; max: number }) => `${s.median} / ${s.p95} / ${s.max}`;

export function renderBrowserMarkdown(r: BrowserResults): string {
  const js = table(
    ["route", "scripts", "JS gzip, KiB", "before load / lazy", "not shared with other routes", "raw, KiB"],
    r.jsPerRoute.map((x) => [
      `\`${x.route}\``,
      x.scripts,
      x.gzipKiB,
      `${x.initialGzipKiB} / ${x.lazyGzipKiB}`,
      x.routeOnlyGzipKiB,
      x.rawKiB,
    ]),
  );
  const firstLoad = table(
    [
      "route (cold cache, signed in; median of 5), ms",
      "responseStart",
      "first contentful paint",
      "DOMContentLoaded",
      "load",
      "data visible",
      "data visible, each run",
      "main-thread CPU to data",
    ],
    r.firstLoad.map((f) => [
      `\`${f.route}\``,
      f.responseStartMs,
      f.firstContentfulPaintMs,
      f.domContentLoadedMs,
      f.loadEventEndMs,
      `**${f.dataVisibleMs}**`,
      f.dataVisibleAllMs.join(", "),
      f.mainThreadCpuMs,
    ]),
  );
  const c = r.chart;
  const chart = table(
    ["pids chart, 24 h of 5 s points (uPlot)", "value"],
    [
      ["points drawn (each run)", c.points.join(", ")],
      ["history source", c.source],
      [
        "click 24 h → drawn (incl. fetch), ms: median (runs)",
        `${c.clickToDrawnMs.median} (${c.clickToDrawnMs.all.join(", ")})`,
      ],
      ["history fetch, ms · body KiB (median)", `${c.historyFetchMs} · ${c.historyFetchKiB}`],
      [
        "longest task while drawing · long-task total per draw (median), ms",
        `${c.drawLongestTaskMs} · ${c.drawLongTasksTotalMs}`,
      ],
      ["main-thread CPU per draw, ms (of which script), median", `${c.drawMainThreadCpuMs} (${c.drawScriptCpuMs})`],
      ["5 s of live samples: chart updates per run", c.live.updatesIn5s.join(", ")],
      ["frame time during live updates, ms: median / p95 / max", fm(c.live.frameMs)],
      [
        "main-thread CPU during live updates: per 5 s · per update, ms",
        `${c.live.mainThreadCpuMsPer5s} · ${c.live.mainThreadCpuMsPerUpdate}`,
      ],
      ["long tasks during live updates (all runs) · longest, ms", `${c.live.longTasks} · ${c.live.longestTaskMs}`],
    ],
  );
  const big = table(
    [
      `fleet table, ${r.table.rows} rows, scrolled top to bottom in ${r.table.scrollMs / 1000} s`,
      "rows in DOM (max)",
      "reached row",
      "updates during scroll",
      "frame ms: median / p95 / max",
      "frames > 20 ms",
      "long tasks · longest ms",
      "main-thread CPU per frame, ms (script / layout / style, whole scroll)",
      "first row after navigation, ms",
    ],
    r.table.phases.map((p) => [
      p.mode,
      p.maxRowsInDomWhileScrolling,
      p.reachedRow,
      p.updatesDuringScroll,
      fm(p.frameMs),
      `${p.framesOver20Ms} of ${p.frames}`,
      `${p.longTasks} · ${p.longestTaskMs}`,
      `${Math.round((p.mainThreadCpuMs.taskMs / Math.max(1, p.frames)) * 10) / 10} (${p.mainThreadCpuMs.scriptMs} / ${p.mainThreadCpuMs.layoutMs} / ${p.mainThreadCpuMs.styleMs})`,
      p.firstRowAfterNavMs,
    ]),
  );
  const m = r.machineLoad;
  const head =
    `Chromium ${r.chromium}, headless, --disable-gpu, viewport ${r.viewport}, production build on localhost. ` +
    `Machine: ${m.cpus} CPUs, 1-min load average ${m.loadAvg1mStart} at start, ${m.loadAvg1mEnd} at end ` +
    "(wall-clock times inflate with load; the main-thread CPU columns, from Chromium's thread-time counters, do not).";
  return [head, "", js, "", firstLoad, "", chart, "", big].join("\n");
}
