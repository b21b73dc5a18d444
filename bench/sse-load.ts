// Live pages under load: N concurrent clients on /api/events (Node fetch streams, each with its own session:
// the honest equivalent of N open browser tabs without launching N Chromiums), plus a few real Chromium tabs.
// Measures whether the sample interval holds (drift), whether every client gets every update, and the server's
// CPU and memory while it fans out. Standalone: `npx tsx --conditions=react-server bench/sse-load.ts`.
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ContainersResponse } from "@/server/schemas/api";
import { launchChromium, signedInState } from "./browser-fixtures/chromium";
import { openLivePages, type LivePages } from "./browser-fixtures/live-pages";
import { cpuPercent, pidListeningOn, sampleProc, type ProcSample } from "./browser-fixtures/proc-stats";
import { apiLogin } from "./browser-fixtures/session";
import { readSse } from "./browser-fixtures/sse-client";
import { sseStats, type Arrival } from "./browser-fixtures/sse-stats";
import { round, summary } from "./lib/stats";

export interface SseLoadOptions {
  baseUrl: string;
  username: string;
  password: string;
  clients: number;
  seconds: number;
  /** The server's LEAKWATCH_SAMPLE_INTERVAL_MS; inferred from the sample times when not given. */
  sampleIntervalMs?: number;
  /** Real Chromium tabs on /containers during the same window (default 5; 0 = none). */
  browserPages?: number;
  /** The server's pid; found by its listening port when not given. */
  serverPid?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (m: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] sse-load: ${m}\n`);

/** Newest sample time a containers frame carries (hosts that answered). */
function sampledAtOf(data: string): number {
  const body = JSON.parse(data) as ContainersResponse;
  const times = body.hosts.filter((h) => h.ok && h.sampledAt !== null).map((h) => h.sampledAt!);
  return times.length ? Math.max(...times) : NaN;
}

async function procWindow(pid: number | null, ms: number): Promise<{ cpuPercent: number; rssMiBMax: number } | null> {
  if (!pid) { await sleep(ms); return null; }
  const samples: ProcSample[] = [sampleProc(pid)];
  for (let t = 0; t < ms; t += 1000) { await sleep(Math.min(1000, ms - t)); samples.push(sampleProc(pid)); }
  return { cpuPercent: cpuPercent(samples[0]!, samples[samples.length - 1]!), rssMiBMax: Math.max(...samples.map((s) => s.rssMiB)) };
}

export async function runSseLoad(opts: SseLoadOptions): Promise<{ markdown: string; results: Record<string, unknown> }> {
  const pid = opts.serverPid ?? pidListeningOn(Number(new URL(opts.baseUrl).port || 80));
  say(`server pid ${pid ?? "not found (CPU and memory not reported)"}; idle baseline 5 s`);
  const idle = await procWindow(pid, 5000);

  // One session per client, as N people would have.
  const sessions = [];
  for (let i = 0; i < opts.clients; i++) sessions.push(await apiLogin(opts.baseUrl, opts.username, opts.password));
  const browserPages = opts.browserPages ?? 5;
  const browser = browserPages > 0 ? await launchChromium() : null;
  let live: LivePages | null = null;
  const abort = new AbortController();
  const arrivals: Arrival[][] = sessions.map(() => []);
  const errors: string[] = [];
  try {
    if (browser) {
      const state = await signedInState(browser, opts.baseUrl, opts.username, opts.password);
      live = await openLivePages(browser, opts.baseUrl, state, browserPages);
    }
    say(`${opts.clients} SSE clients connecting`);
    const readers = sessions.map((s, i) =>
      readSse(`${opts.baseUrl}/api/events`, s.cookie, abort.signal, (f) => {
        if (f.topic === "containers") arrivals[i]!.push({ arrivedAtMs: f.arrivedAtMs, sampledAtMs: sampledAtOf(f.data) });
      }).catch((e: Error) => { errors.push(`client ${i}: ${e.message}`); return "failed" as const; }),
    );
    const connectDeadline = Date.now() + 15_000;
    while (arrivals.some((a) => a.length === 0) && Date.now() < connectDeadline) await sleep(100);
    // Drop each connect-time snapshot: it is a replay, not a sample arriving on schedule.
    const firstIndex = arrivals.map((a) => a.length);
    say(`${arrivals.filter((a) => a.length > 0).length}/${opts.clients} connected; measuring ${opts.seconds} s`);
    const fromMs = Date.now();
    const busy = await procWindow(pid, opts.seconds * 1000);
    const toMs = Date.now();
    abort.abort();
    const ends = await Promise.all(readers);
    const inWindow = arrivals.map((a, i) => a.slice(firstIndex[i]).filter((x) => x.arrivedAtMs >= fromMs && x.arrivedAtMs <= toMs));
    const stats = sseStats(inWindow, fromMs, toMs, opts.sampleIntervalMs);

    let tabs: Record<string, unknown> | null = null;
    if (live) {
      const perPage = (await live.arrivals()).map((a) => a.filter((t) => t >= fromMs && t <= toMs));
      const tabGaps = perPage.flatMap((a) => a.slice(1).map((t, i) => t - a[i]!));
      tabs = { pages: perPage.length, updatesPerPage: perPage.map((a) => a.length), interArrivalMs: summary(tabGaps) };
    }
    const results = {
      seconds: opts.seconds, machineLoad: { cpus: os.cpus().length, loadAvg1m: Math.round(os.loadavg()[0]! * 10) / 10 }, ...stats, streamsEndedEarly: ends.filter((e) => e !== "aborted").length,
      errors: errors.slice(0, 5), serverPid: pid, serverIdle: idle, serverUnderLoad: busy, chromiumTabs: tabs,
    };
    return { markdown: renderSse(results, stats, tabs as { pages: number; updatesPerPage: number[]; interArrivalMs: ReturnType<typeof summary> } | null), results };
  } finally {
    abort.abort();
    await live?.close();
    await browser?.close();
  }
}

function renderSse(
  r: { clients: number; seconds: number; machineLoad: { cpus: number; loadAvg1m: number }; streamsEndedEarly: number; serverIdle: { cpuPercent: number; rssMiBMax: number } | null; serverUnderLoad: { cpuPercent: number; rssMiBMax: number } | null },
  s: ReturnType<typeof sseStats>,
  tabs: { pages: number; updatesPerPage: number[]; interArrivalMs: ReturnType<typeof summary> } | null,
): string {
  const ms = (x: { median: number; p95: number; max: number }) => `${x.median} / ${x.p95} / ${x.max}`;
  const rows: [string, string][] = [
    ["SSE clients (Node fetch streams, one session each) × window", `${r.clients} × ${r.seconds} s`],
    ["machine: CPUs · 1-min load average at the end", `${r.machineLoad.cpus} · ${r.machineLoad.loadAvg1m}`],
    [`sample interval (${s.intervalSource})`, `${s.intervalMs} ms`],
    ["`containers` updates per client: min / median / max", `${s.updatesPerClient.min} / ${s.updatesPerClient.median} / ${s.updatesPerClient.max}`],
    ["clients with no update · samples missed (total, worst client) · streams ended early", `${s.clientsWithoutUpdates} · ${s.missedSamples.total}, ${s.missedSamples.worstClient} · ${r.streamsEndedEarly}`],
    ["client inter-arrival, ms: median / p95 / max", ms(s.clientInterArrivalMs)],
    ["client deviation from interval, ms: mean / p95 / max", `${s.clientDeviationMs.mean} / ${s.clientDeviationMs.p95} / ${s.clientDeviationMs.max}`],
    ["server sample gap (sampledAt), ms: median / p95 / max", ms(s.serverSampleGapMs)],
    ["server deviation from interval, ms: mean / p95 / max", `${s.serverDeviationMs.mean} / ${s.serverDeviationMs.p95} / ${s.serverDeviationMs.max}`],
    ["server cumulative drift over the window", `${round(s.serverCumulativeDriftMs)} ms`],
    ["sample → client delivery, ms: median / p95 / max", ms(s.deliveryLatencyMs)],
    ["fan-out spread (first to last client per sample), ms: median / p95 / max", ms(s.fanOutSpreadMs)],
    ["server CPU, % of one core: idle → under load", r.serverIdle && r.serverUnderLoad ? `${r.serverIdle.cpuPercent} → ${r.serverUnderLoad.cpuPercent}` : "n/a"],
    ["server RSS, MiB: idle → max under load", r.serverIdle && r.serverUnderLoad ? `${r.serverIdle.rssMiBMax} → ${r.serverUnderLoad.rssMiBMax}` : "n/a"],
  ];
  if (tabs) {
    rows.push([`Chromium tabs on /containers (same window): updates per tab`, tabs.updatesPerPage.join(", ")]);
    rows.push(["Chromium tab inter-arrival, ms: median / p95 / max", ms(tabs.interArrivalMs)]);
  }
  return ["| live updates under load | value |", "|---|---|", ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join("\n");
}

async function standalone(): Promise<number> {
  const { BuildMissingError, startLocalServer } = await import("./browser-fixtures/server");
  const { ensureFixtureImage } = await import("@/server/testing/harness");
  const { removeRunContainers, startContainers } = await import("./lib/fleet");
  const { benchRunId } = await import("./lib/section");
  const clients = Number(process.env.BENCH_SSE_CLIENTS ?? 50);
  const seconds = Number(process.env.BENCH_SSE_SECONDS ?? 30);
  let server;
  try {
    server = await startLocalServer(1000);
  } catch (e) {
    if (e instanceof BuildMissingError) { process.stderr.write(`${e.message}\n`); return 1; }
    throw e;
  }
  const runId = benchRunId();
  try {
    // A small fleet so each frame carries real container rows, not an empty list.
    await ensureFixtureImage();
    await startContainers(runId, 20, () => undefined);
    const { markdown } = await runSseLoad({ baseUrl: server.baseUrl, username: server.username, password: server.password, clients, seconds, sampleIntervalMs: server.sampleIntervalMs, serverPid: server.pid });
    process.stdout.write(`${markdown}\n`);
    return 0;
  } finally {
    await removeRunContainers(runId);
    await server.stop();
  }
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  standalone().then((code) => process.exit(code), (e: Error) => { process.stderr.write(`sse-load FAILED: ${e.stack ?? e.message}\n`); process.exit(1); });
}
