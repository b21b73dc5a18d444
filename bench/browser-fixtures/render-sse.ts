// The markdown table of the SSE load bench: the control run (one client) beside the loaded run.
import type { summary } from "../lib/stats";
import type { SseStats } from "./sse-stats";

type Summary = ReturnType<typeof summary>;
type Proc = { cpuPercent: number; rssMiBMax: number } | null;
export interface TabsResult {
  pages: number;
  updatesPerPage: number[];
  interArrivalMs: Summary;
}

interface Run {
  stats: SseStats;
  proc: Proc;
  streamsEndedEarly: number;
}

export function renderSse(r: {
  clients: number;
  seconds: number;
  controlSeconds: number;
  machineLoad: { cpus: number; loadAvg1m: number };
  control: Run;
  load: Run;
  tabs: TabsResult | null;
}): string {
  const ms = (x: { median: number; p95: number; max: number }) => `${x.median} / ${x.p95} / ${x.max}`;
  const dev = (x: { mean: number; p95: number; max: number }) => `${x.mean} / ${x.p95} / ${x.max}`;
  const both = (f: (run: Run) => string): [string, string] => [f(r.control), f(r.load)];
  const proc = (p: Proc, pick: (x: NonNullable<Proc>) => number) => (p ? String(pick(p)) : "n/a");
  const c = r.control.stats;
  const rows: [string, string, string][] = [
    [
      "clients (Node fetch SSE streams, one session each) × window",
      `1 × ${r.controlSeconds} s`,
      `${r.clients} × ${r.seconds} s${r.tabs ? ` + ${r.tabs.pages} Chromium tabs` : ""}`,
    ],
    [`sample interval (${c.intervalSource})`, `${c.intervalMs} ms`, `${r.load.stats.intervalMs} ms`],
    [
      "`containers` updates per client: min / median / max",
      ...both(
        (x) => `${x.stats.updatesPerClient.min} / ${x.stats.updatesPerClient.median} / ${x.stats.updatesPerClient.max}`,
      ),
    ],
    [
      "clients with no update · samples missed (total, worst client) · streams ended early",
      ...both(
        (x) =>
          `${x.stats.clientsWithoutUpdates} · ${x.stats.missedSamples.total}, ${x.stats.missedSamples.worstClient} · ${x.streamsEndedEarly}`,
      ),
    ],
    ["server sample gap (sampledAt), ms: median / p95 / max", ...both((x) => ms(x.stats.serverSampleGapMs))],
    ["server deviation from interval, ms: mean / p95 / max", ...both((x) => dev(x.stats.serverDeviationMs))],
    [
      "server cumulative drift over the window, ms",
      ...both((x) => String(Math.round(x.stats.serverCumulativeDriftMs))),
    ],
    ["client inter-arrival, ms: median / p95 / max", ...both((x) => ms(x.stats.clientInterArrivalMs))],
    ["client deviation from interval, ms: mean / p95 / max", ...both((x) => dev(x.stats.clientDeviationMs))],
    ["sample → client delivery, ms: median / p95 / max", ...both((x) => ms(x.stats.deliveryLatencyMs))],
    [
      "fan-out spread (first to last client per sample), ms: median / p95 / max",
      ...both((x) => ms(x.stats.fanOutSpreadMs)),
    ],
    ["server CPU, % of one core", ...both((x) => proc(x.proc, (p) => p.cpuPercent))],
    ["server RSS max, MiB", ...both((x) => proc(x.proc, (p) => p.rssMiBMax))],
  ];
  if (r.tabs) {
    rows.push(["Chromium tabs on /containers: updates per tab", "", r.tabs.updatesPerPage.join(", ")]);
    rows.push(["Chromium tab inter-arrival, ms: median / p95 / max", "", ms(r.tabs.interArrivalMs)]);
  }
  const head =
    `Machine: ${r.machineLoad.cpus} CPUs, 1-min load average ${r.machineLoad.loadAvg1m} at the end. ` +
    "N HTTP clients stand in for N browsers (same endpoint, same bytes, one session each); the Chromium tabs run the app's own EventSource path.";
  const p95 = r.load.stats.deliveryLatencyMs.p95;
  const goal =
    `Goal (issue 18): sample-to-client delivery p95 under one interval with ${r.clients} clients: ` +
    `${p95} ms against ${r.load.stats.intervalMs} ms, **${p95 < r.load.stats.intervalMs ? "met" : "not met"}**.`;
  return [
    head,
    "",
    goal,
    "",
    "| live updates | control: 1 client | under load |",
    "|---|---|---|",
    ...rows.map((x) => `| ${x.join(" | ")} |`),
  ].join("\n");
}
