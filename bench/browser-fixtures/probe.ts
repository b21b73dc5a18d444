// In-page instrumentation, injected before any app script runs: every requestAnimationFrame timestamp, every
// long task (PerformanceObserver 'longtask'), and the first time each watched selector is in the DOM.
// Kept as plain JavaScript strings: functions passed through Playwright are serialized and tsx's helpers
// would not exist in the page.

export interface ProbeDump {
  frames: number[];
  longTasks: [number, number][];
  seen: Record<string, number>;
}

export function probeScript(watch: readonly string[] = []): string {
  return `(() => {
    if (window.__lw) return;
    const lw = (window.__lw = { frames: [], longTasks: [], seen: {}, watch: ${JSON.stringify(watch)} });
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) lw.longTasks.push([e.startTime, e.duration]);
      }).observe({ type: "longtask", buffered: true });
    } catch (e) { lw.noLongTask = String(e); }
    const tick = (t) => { lw.frames.push(t); requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    const check = () => {
      for (const s of lw.watch) if (lw.seen[s] === undefined && document.querySelector(s)) lw.seen[s] = performance.now();
    };
    new MutationObserver(check).observe(document, { childList: true, subtree: true });
  })();`;
}

/** Frame deltas (ms) and long tasks inside [fromMs, toMs] of the page's performance.now() clock. */
export function windowOf(
  dump: ProbeDump,
  fromMs: number,
  toMs: number,
): { frameDeltasMs: number[]; longTasksMs: number[] } {
  const frames = dump.frames.filter((t) => t >= fromMs && t <= toMs);
  const frameDeltasMs = frames.slice(1).map((t, i) => t - frames[i]!);
  const longTasksMs = dump.longTasks.filter(([start, d]) => start + d >= fromMs && start <= toMs).map(([, d]) => d);
  return { frameDeltasMs, longTasksMs };
}

export const DUMP = "({ frames: window.__lw.frames, longTasks: window.__lw.longTasks, seen: window.__lw.seen })";
