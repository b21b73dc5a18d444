// The goals of issue 18 against this run's figures: one table at the top of BENCHMARKS.md saying, for each goal,
// what was measured, whether it was met and, where not, what the same run says bounds it. Every cell comes from a
// section's results; a section that did not run says so.

import { fmt as formatNumber, table } from "./markdown";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const get = (v: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((cur, k) => (isObj(cur) || Array.isArray(cur) ? (cur as Obj)[k as string] : undefined), v);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
/** Goals read at one decimal unless a figure says otherwise. */
const fmt = (n: number | null, digits = 1): string => formatNumber(n, digits);
const verdict = (met: boolean | null): string => (met === null ? "not measured" : met ? "**met**" : "**not met**");

/** A Markdown section's figures (bench/run.ts keeps them beside its tables). */
const figuresOf = (results: Partial<Record<string, unknown>>, section: string): unknown =>
  get(results[section], "figures");

interface Row {
  goal: string;
  target: string;
  measured: string;
  met: boolean | null;
  bound: string;
}

function serverGoal(results: Partial<Record<string, unknown>>): Row {
  const runs = figuresOf(results, "server");
  const list = Array.isArray(runs) ? runs.filter(isObj) : [];
  const ratios = list.map((r) => ({ n: num(r.n), ratio: num(r.ratio), ms: num(r.serverMsPerPass) }));
  const met = ratios.length ? ratios.every((r) => (r.ratio ?? 0) >= 50) : null;
  const last = list[list.length - 1];
  const cats = (get(last, "profile", "categories") as { category: string; share: number }[] | undefined) ?? [];
  return {
    goal: "1. Whole server per pass vs `docker stats --no-stream`",
    target: "at least 50x at 100 and 200 containers",
    measured: ratios.map((r) => `${fmt(r.ratio)}x at ${r.n} (${fmt(r.ms, 2)} ms CPU per pass)`).join("; ") || "n/a",
    met,
    bound:
      met === false && cats.length
        ? `the profile of the same run: ${cats
            .slice(0, 4)
            .map((c) => `${c.category} ${fmt(c.share * 100)}%`)
            .join(", ")}`
        : "",
  };
}

function watchedGoal(results: Partial<Record<string, unknown>>): Row {
  const runs = figuresOf(results, "server");
  const last = Array.isArray(runs) ? runs[runs.length - 1] : undefined;
  const calls = (get(last, "redisCallsPerPass") as [string, number][] | undefined) ?? [];
  const total = calls.reduce((s, [, v]) => s + v, 0);
  const rounds = (get(results.workers, "rounds") as Obj[] | undefined) ?? [];
  const [every, cadence] = rounds;
  const api = get(results.containers, "sizes") as Obj[] | undefined;
  const at = api?.[api.length - 1];
  const dockerd = num(get(at, "methods", "cgroupfs", "enginePerPassMs", "dockerdMs"));
  const parts = [
    calls.length ? `${fmt(total)} Redis commands per pass with no worker attached (${calls.length} kinds)` : null,
    cadence
      ? `${fmt(num(cadence.requestsPerMinute))} remote-control requests per worker per minute at a 5 s interval, ${fmt(num(cadence.workerCpuMsPerMinute))} ms of a Celery worker's CPU per minute (every inspection every pass: ${fmt(num(every?.requestsPerMinute))} and ${fmt(num(every?.workerCpuMsPerMinute))} ms)`
      : null,
    dockerd !== null ? `dockerd ${fmt(dockerd)} ms CPU per cgroupfs pass at ${num(get(at, "n"))} containers` : null,
  ].filter(Boolean);
  return {
    goal: "2. The cost to what it watches",
    target: "reported per pass; no busy polling; expensive inspections less often",
    measured: parts.join("; ") || "n/a",
    met: parts.length ? true : null,
    bound: "",
  };
}

function growthGoal(results: Partial<Record<string, unknown>>): Row {
  const sizes = figuresOf(results, "synthetic");
  const list = Array.isArray(sizes) ? sizes.filter(isObj) : [];
  const per = list.map((r) => ({ n: num(r.n), us: num(r.cpuUsPerContainerPerPass) }));
  const first = per[0]?.us ?? null;
  const worst = per.length > 1 ? Math.max(...per.slice(1).map((p) => p.us ?? Infinity)) : null;
  const growth = first && worst !== null ? worst / first : null;
  return {
    goal: "3. Cost growth on a generated tree",
    target: "CPU per container per pass flat with N (largest within 1.25x of the smallest)",
    measured: per.map((p) => `${fmt(p.us, 0)} µs at ${fmt(p.n, 0)}`).join(", ") || "n/a",
    met: growth === null ? null : growth <= 1.25,
    bound: growth !== null && growth > 1.25 ? `rises ${fmt(growth, 2)}x from the smallest size` : "",
  };
}

function queueGoal(results: Partial<Record<string, unknown>>): Row[] {
  const ratio = num(get(results.queues, "many", "ratio"));
  const pass = num(get(results.queues, "sampleBroker", "passMs", "median"));
  const depthsAt = num(get(results.queues, "sampleBroker", "depthsPublishedMs", "median"));
  const keys = num(get(results.queues, "many", "keys"));
  const piped = num(get(results.queues, "many", "pipelinedMs", "median"));
  const naive = num(get(results.queues, "many", "naiveMs", "median"));
  const perKey = (ms: number | null) => (ms === null || !keys ? null : (ms * 1000) / keys);
  const wall = num(get(results.unacked, "wallMs"));
  const mib = (num(get(results.unacked, "payloadBytes")) ?? 0) / 1048576;
  const maxUs = num(get(results.unacked, "slowlog", "readInFlight", "maxUs"));
  return [
    {
      goal: "4a. Depth of 10,000 queues x 4 lists vs one awaited LLEN per key",
      target: "at least 20x faster",
      measured: ratio === null ? "n/a" : `${fmt(ratio)}x`,
      met: ratio === null ? null : ratio >= 20,
      bound:
        ratio !== null && ratio < 20
          ? `${fmt(perKey(piped), 1)} µs per key pipelined (Redis's own work per LLEN) against ${fmt(perKey(naive), 1)} µs per awaited round trip: the ratio is the round trip over the server's per-command cost`
          : "",
    },
    {
      goal: "4b. Depths published before the pidbox round ends",
      target: "depths out without waiting for replies",
      measured:
        depthsAt === null || pass === null ? "n/a" : `depths out at ${fmt(depthsAt)} ms of a ${fmt(pass)} ms pass`,
      met: depthsAt === null || pass === null ? null : depthsAt < pass,
      bound: "",
    },
    {
      goal: "4c. `unacked` with 100,000 entries",
      target: "under 1 s wall, no Redis command over 5 ms",
      measured: wall === null ? "n/a" : `${fmt(wall, 0)} ms, longest command ${fmt(maxUs, 0)} µs`,
      met: wall === null || maxUs === null ? null : wall < 1000 && maxUs <= 5000,
      bound:
        wall !== null && wall >= 1000
          ? `reading and parsing ${fmt(mib, 0)} MiB of entries at ${fmt(mib / (wall / 1000), 0)} MiB/s in one Node process; no Redis command took over ${fmt((maxUs ?? 0) / 1000, 1)} ms, so the time is in moving and parsing the entries in the console, not in Redis`
          : "",
    },
  ];
}

function browserGoal(results: Partial<Record<string, unknown>>): Row[] {
  const f = figuresOf(results, "browser");
  const phases = (get(f, "table", "phases") as Obj[] | undefined) ?? [];
  const perFrame = phases.map((p) => {
    const frames = num(p.frames) ?? 0;
    const cpu = num(get(p, "mainThreadCpuMs", "taskMs"));
    return { mode: String(p.mode), ms: cpu === null || frames === 0 ? null : cpu / frames };
  });
  const live = perFrame.find((p) => p.mode.startsWith("live"));
  const livePhase = phases.find((p) => String(p.mode).startsWith("live"));
  const liveFrames = num(livePhase?.frames) ?? 0;
  const split = (k: string) => {
    const v = num(get(livePhase, "mainThreadCpuMs", k));
    return v === null || liveFrames === 0 ? null : v / liveFrames;
  };
  const chartLongest = num(get(f, "chart", "live", "longestTaskMs"));
  const chartLong = num(get(f, "chart", "live", "longTasks"));
  const drawLongest = num(get(f, "chart", "drawLongestTaskMs"));
  const loads = (get(f, "firstLoad") as Obj[] | undefined) ?? [];
  const overview = loads.find((l) => l.route === "/");
  const visible = num(overview?.dataVisibleMs);
  return [
    {
      goal: "5a. 1,000-row fleet table, live updates, scrolling",
      target: "main-thread CPU per frame at or under 16 ms",
      measured: perFrame.map((p) => `${fmt(p.ms)} ms (${p.mode})`).join(", ") || "n/a",
      met: live?.ms == null ? null : live.ms <= 16,
      bound:
        live?.ms != null && live.ms > 16
          ? `per frame: script ${fmt(split("scriptMs"))} ms, layout ${fmt(split("layoutMs"))} ms, style ${fmt(split("styleMs"))} ms (the rest is paint and compositing in software-rendered headless Chromium)`
          : "",
    },
    {
      goal: "5b. A day of 5 s points on the pids chart",
      target: "no long task (over 50 ms) drawing it or while it updates live",
      measured:
        chartLong === null
          ? "n/a"
          : `drawing: longest task ${fmt(drawLongest, 0)} ms; live: ${fmt(chartLong, 0)} long tasks (longest ${fmt(chartLongest, 0)} ms)`,
      met: chartLong === null || drawLongest === null ? null : chartLong === 0 && drawLongest <= 50,
      bound:
        drawLongest !== null && drawLongest > 50
          ? `the first draw of ${fmt(num(get(f, "chart", "points", 0)), 0)} points: ${fmt(num(get(f, "chart", "drawMainThreadCpuMs")), 0)} ms of main-thread CPU (${fmt(num(get(f, "chart", "drawScriptCpuMs")), 0)} ms script) per draw, the longest piece ${fmt(drawLongest, 0)} ms`
          : "",
    },
    {
      goal: "5c. Overview data visible (cold cache)",
      target: "under 1 s",
      measured: visible === null ? "n/a" : `${fmt(visible, 0)} ms`,
      met: visible === null ? null : visible < 1000,
      bound:
        visible !== null && visible >= 1000
          ? `first byte at ${fmt(num(overview?.responseStartMs), 0)} ms, first paint at ${fmt(num(overview?.firstContentfulPaintMs), 0)} ms, ${fmt(num(overview?.mainThreadCpuMs), 0)} ms of main-thread CPU to the data (median of ${fmt(num(overview?.runs), 0)} cold loads)`
          : "",
    },
  ];
}

function sseGoal(results: Partial<Record<string, unknown>>): Row {
  const f = figuresOf(results, "sse");
  const p95 = num(get(f, "load", "deliveryLatencyMs", "p95"));
  const interval = num(get(f, "load", "intervalMs"));
  const cpu = num(get(f, "load", "server", "cpuPercent"));
  const clients = num(get(f, "clients"));
  return {
    goal: "6. Many browsers on live updates",
    target: "200 SSE clients for 60 s: delivery p95 under one interval, server CPU reported",
    measured:
      p95 === null
        ? "n/a"
        : `${fmt(clients, 0)} clients: delivery p95 ${fmt(p95, 0)} ms of a ${fmt(interval, 0)} ms interval; server CPU ${fmt(cpu)}%`,
    met: p95 === null || interval === null ? null : p95 < interval,
    bound: "",
  };
}

export function goalsTable(results: Partial<Record<string, unknown>>): string {
  const rows = [
    serverGoal(results),
    watchedGoal(results),
    growthGoal(results),
    ...queueGoal(results),
    ...browserGoal(results),
    sseGoal(results),
  ];
  return [
    "## Goals (issue 18) in this run",
    "",
    "Each figure is from the sections below; *what bounds it* is read from the same run.",
    "",
    table(
      ["goal", "target", "measured", "verdict", "what bounds it"],
      rows.map((r) => [r.goal, r.target, r.measured, verdict(r.met), r.bound]),
    ),
  ].join("\n");
}

export function workersSection(w: unknown): string {
  const per = (get(w, "perCommand") as Obj[] | undefined) ?? [];
  const rounds = (get(w, "rounds") as Obj[] | undefined) ?? [];
  return [
    "## Remote control: what the console asks of a Celery worker",
    "",
    `One real Celery 5.2 worker (${String(get(w, "pool"))}, concurrency ${fmt(num(get(w, "concurrency")), 0)}, heartbeats on) consuming Dify's 16 queues; its CPU is its whole process group's, less its idle rate (${fmt(num(get(w, "idleWorkerCpuMsPerMinute")))} ms per minute). Requests are counted on the pidbox channel.`,
    "",
    table(
      ["inspection", "worker CPU per request (ms)", "reply wall, median (ms)"],
      per.map((p) => [`\`${String(p.command)}\``, fmt(num(p.workerCpuMs), 2), fmt(num(p.wallMs))]),
      ["left", "right", "right"],
    ),
    "",
    `Per minute at a ${fmt((num(get(w, "passIntervalMs")) ?? 0) / 1000, 0)} s pass interval:`,
    "",
    table(
      ["rounds", "requests per worker per minute", "worker CPU per minute (ms)"],
      rounds.map((r) => [String(r.label), fmt(num(r.requestsPerMinute)), fmt(num(r.workerCpuMsPerMinute))]),
      ["left", "right", "right"],
    ),
  ].join("\n");
}
