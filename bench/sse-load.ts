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
import { renderSse, type TabsResult } from "./browser-fixtures/render-sse";
import { apiLogin, type ApiSession } from "./browser-fixtures/session";
import { readSse } from "./browser-fixtures/sse-client";
import { sseStats, type Arrival } from "./browser-fixtures/sse-stats";
import { summary } from "./lib/stats";

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
  if (!pid) {
    await sleep(ms);
    return null;
  }
  const samples: ProcSample[] = [sampleProc(pid)];
  for (let t = 0; t < ms; t += 1000) {
    await sleep(Math.min(1000, ms - t));
    samples.push(sampleProc(pid));
  }
  return {
    cpuPercent: cpuPercent(samples[0]!, samples[samples.length - 1]!),
    rssMiBMax: Math.max(...samples.map((s) => s.rssMiB)),
  };
}

/** Connects one SSE reader per session, waits for each one's connect snapshot, then records `seconds`. */
async function measureClients(
  baseUrl: string,
  sessions: ApiSession[],
  seconds: number,
  pid: number | null,
  intervalMs: number | undefined,
) {
  const abort = new AbortController();
  const arrivals: Arrival[][] = sessions.map(() => []);
  const errors: string[] = [];
  const readers = sessions.map((s, i) =>
    readSse(`${baseUrl}/api/events`, s.cookie, abort.signal, (f) => {
      if (f.topic === "containers") arrivals[i]!.push({ arrivedAtMs: f.arrivedAtMs, sampledAtMs: sampledAtOf(f.data) });
    }).catch((e: Error) => {
      errors.push(`client ${i}: ${e.message}`);
      return "failed" as const;
    }),
  );
  try {
    const connectDeadline = Date.now() + 15_000;
    while (arrivals.some((a) => a.length === 0) && Date.now() < connectDeadline) await sleep(100);
    // Drop each connect-time snapshot: it is a replay, not a sample arriving on schedule.
    const firstIndex = arrivals.map((a) => a.length);
    say(`${arrivals.filter((a) => a.length > 0).length}/${sessions.length} connected; measuring ${seconds} s`);
    const fromMs = Date.now();
    const proc = await procWindow(pid, seconds * 1000);
    const toMs = Date.now();
    abort.abort();
    const ends = await Promise.all(readers);
    const inWindow = arrivals.map((a, i) =>
      a.slice(firstIndex[i]).filter((x) => x.arrivedAtMs >= fromMs && x.arrivedAtMs <= toMs),
    );
    return {
      fromMs,
      toMs,
      proc,
      stats: sseStats(inWindow, fromMs, toMs, intervalMs),
      streamsEndedEarly: ends.filter((e) => e !== "aborted").length,
      errors,
    };
  } finally {
    abort.abort();
  }
}

async function runSseLoad(opts: SseLoadOptions): Promise<{ markdown: string; results: Record<string, unknown> }> {
  const pid = opts.serverPid ?? pidListeningOn(Number(new URL(opts.baseUrl).port || 80));
  const sessions: ApiSession[] = [];
  // One session per client, as N people would have.
  for (let i = 0; i < opts.clients; i++) sessions.push(await apiLogin(opts.baseUrl, opts.username, opts.password));
  // Control run: the same figures with a single client, so drift from the machine can be told from drift from the load.
  const controlSeconds = Math.min(15, opts.seconds);
  say(`server pid ${pid ?? "not found (CPU and memory not reported)"}; control: 1 client for ${controlSeconds} s`);
  const control = await measureClients(opts.baseUrl, sessions.slice(0, 1), controlSeconds, pid, opts.sampleIntervalMs);

  const browserPages = opts.browserPages ?? 5;
  const browser = browserPages > 0 ? await launchChromium() : null;
  let live: LivePages | null = null;
  try {
    if (browser) {
      const state = await signedInState(browser, opts.baseUrl, opts.username, opts.password);
      live = await openLivePages(browser, opts.baseUrl, state, browserPages);
    }
    say(`${opts.clients} SSE clients${live ? ` and ${browserPages} Chromium tabs` : ""}`);
    const load = await measureClients(opts.baseUrl, sessions, opts.seconds, pid, opts.sampleIntervalMs);
    let tabs: TabsResult | null = null;
    if (live) {
      const perPage = (await live.arrivals()).map((a) => a.filter((t) => t >= load.fromMs && t <= load.toMs));
      tabs = {
        pages: perPage.length,
        updatesPerPage: perPage.map((a) => a.length),
        interArrivalMs: summary(perPage.flatMap((a) => a.slice(1).map((t, i) => t - a[i]!))),
      };
    }
    const results = {
      clients: opts.clients,
      seconds: opts.seconds,
      machineLoad: { cpus: os.cpus().length, loadAvg1m: Math.round(os.loadavg()[0]! * 10) / 10 },
      serverPid: pid,
      control: { seconds: controlSeconds, ...control.stats, server: control.proc },
      load: {
        ...load.stats,
        server: load.proc,
        streamsEndedEarly: load.streamsEndedEarly,
        errors: load.errors.slice(0, 5),
      },
      chromiumTabs: tabs,
    };
    return {
      markdown: renderSse({
        clients: opts.clients,
        seconds: opts.seconds,
        controlSeconds,
        machineLoad: results.machineLoad,
        control,
        load,
        tabs,
      }),
      results,
    };
  } finally {
    await live?.close();
    await browser?.close();
  }
}

async function standalone(): Promise<number> {
  const { startLocalServerOrExplain } = await import("./browser-fixtures/server");
  const { ensureFixtureImage } = await import("@/server/testing/harness");
  const { removeRunContainers, startContainers } = await import("./lib/fleet");
  const { benchRunId, emitMarkdownSection } = await import("./lib/section");
  // Issue 18 goal 6: 200 live clients for 60 s, delivery p95 under one interval.
  const clients = Number(process.env.BENCH_SSE_CLIENTS ?? 200);
  const seconds = Number(process.env.BENCH_SSE_SECONDS ?? 60);
  const server = await startLocalServerOrExplain(1000);
  if (!server) return 1;
  const runId = benchRunId();
  try {
    // A small fleet so each frame carries real container rows, not an empty list.
    await ensureFixtureImage();
    await startContainers(runId, 20, () => undefined);
    const { markdown, results } = await runSseLoad({
      baseUrl: server.baseUrl,
      username: server.username,
      password: server.password,
      clients,
      seconds,
      sampleIntervalMs: server.sampleIntervalMs,
      serverPid: server.pid,
    });
    emitMarkdownSection(markdown, results);
    return 0;
  } finally {
    await removeRunContainers(runId);
    await server.stop();
  }
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  standalone().then(
    (code) => process.exit(code),
    (e: Error) => {
      process.stderr.write(`sse-load FAILED: ${e.stack ?? e.message}\n`);
      process.exit(1);
    },
  );
}
