// Main-thread CPU time of a page from Chromium's own counters (CDP Performance domain in thread ticks): what the
// page's work costs, independent of how long it waited for a core. Wall-clock frame times on a busy machine
// mix both; this one does not.
import type { Page } from "@playwright/test";

export interface CpuReading {
  taskMs: number;
  scriptMs: number;
  layoutMs: number;
  styleMs: number;
}

export interface CpuMeter {
  read(): Promise<CpuReading>;
}

export async function cpuMeter(page: Page): Promise<CpuMeter> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable", { timeDomain: "threadTicks" });
  return {
    async read() {
      const { metrics } = await cdp.send("Performance.getMetrics");
      const m = new Map(metrics.map((x) => [x.name, x.value]));
      const ms = (name: string) => (m.get(name) ?? NaN) * 1000;
      return {
        taskMs: ms("TaskDuration"),
        scriptMs: ms("ScriptDuration"),
        layoutMs: ms("LayoutDuration"),
        styleMs: ms("RecalcStyleDuration"),
      };
    },
  };
}

export function cpuBetween(a: CpuReading, b: CpuReading): CpuReading {
  const r = (x: number) => Math.round(x * 10) / 10;
  return {
    taskMs: r(b.taskMs - a.taskMs),
    scriptMs: r(b.scriptMs - a.scriptMs),
    layoutMs: r(b.layoutMs - a.layoutMs),
    styleMs: r(b.styleMs - a.styleMs),
  };
}
