// The whole console's cost per sampling pass, beside what an operator would otherwise run (issue 18, goals 1 and 2):
// the production server (standalone build) at LEAKWATCH_SAMPLE_INTERVAL_MS=1000 with N running containers and one
// broker holding Dify's 16 queues, no browser open. Its CPU is utime+stime of the server process (all its threads)
// from /proc over a window, divided by the passes in that window; `docker stats --no-stream` over the same containers
// is charged its CLI (getrusage of the child) plus dockerd, containerd and the shims. A second, profiled run
// (node --cpu-prof) says where the server's CPU goes; Redis's INFO commandstats says what it asks of the broker.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { SourceMap, type SourceMapPayload } from "node:module";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { ensureFixtureImage } from "@/server/testing/harness";
import { startLocalServer, type LocalServer } from "./browser-fixtures/server";
import { cpuDelta, engineCpu, enginePids, processCpuMs } from "./lib/engine-cpu";
import { removeRunContainers, startContainers } from "./lib/fleet";
import { benchRunId, emitMarkdownSection } from "./lib/section";

const exec = promisify(execFile);
const SIZES = (process.env.BENCH_SERVER_SIZES ?? "100,200")
  .split(",")
  .map(Number)
  .filter((n) => n > 0);
const INTERVAL_MS = 1000;
const WARM_MS = 20_000;
const WINDOW_MS = Number(process.env.BENCH_SERVER_WINDOW_MS) || 30_000;
const STATS_REPS = 3;
const PORT = 3251;
const TEST_REDIS_PORT = 6391;
const say = (m: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] server: ${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

/** Redis's per-command call counts (INFO commandstats). */
async function commandCalls(redis: Redis): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const line of (await redis.info("commandstats")).split("\n")) {
    const m = line.match(/^cmdstat_([^:]+):calls=(\d+)/);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

function callsDelta(before: Map<string, number>, after: Map<string, number>, per: number): [string, number][] {
  return [...after]
    .map(([k, v]): [string, number] => [k, (v - (before.get(k) ?? 0)) / per])
    .filter(([k, v]) => v > 0 && k !== "info")
    .sort((a, b) => b[1] - a[1]);
}

/** `docker stats --no-stream` as an operator runs it: the CLI's own CPU (getrusage of its child) plus the engine's. */
async function dockerStatsCpuMs(ids: string[]): Promise<{ cliMs: number; engineMs: number; wallMs: number }> {
  const pids = enginePids();
  const e0 = engineCpu(pids);
  const started = performance.now();
  const { stdout } = await exec(
    "python3",
    [
      "-c",
      "import resource,subprocess,sys\n" +
        "subprocess.run(['docker','stats','--no-stream','--format','{{.ID}} {{.PIDs}}']+sys.argv[1:],check=True,stdout=subprocess.DEVNULL)\n" +
        "r=resource.getrusage(resource.RUSAGE_CHILDREN)\nprint((r.ru_utime+r.ru_stime)*1000)",
      ...ids,
    ],
    { maxBuffer: 16 * 1024 * 1024, timeout: 600_000 },
  );
  const wallMs = performance.now() - started;
  const d = cpuDelta(e0, engineCpu(pids));
  return { cliMs: Number(stdout.trim()), engineMs: d.dockerdMs + d.containerdMs + d.shimsMs, wallMs };
}

interface Breakdown {
  category: string;
  share: number;
  /** The most sampled frames of this part (for a console part: its function > the leaf it was in). */
  top?: string[];
}

// Console source files (as the build's source maps name them) -> the part of a pass they are.
const SOURCE_PARTS: [RegExp, string][] = [
  [/^server\/docker\/forecast/, "forecasts"],
  [/^server\/docker\//, "container reads (cgroup, /proc, Docker list)"],
  [/^server\/history\//, "history writes and reads"],
  [/^server\/alerts\//, "alerts"],
  [/^server\/runbooks\//, "runbook checks"],
  [/^server\/(live|bus)\.ts|^app\/api\/events\//, "snapshot and SSE serialisation"],
  [/^server\/celery\//, "broker pass (depths, unacked, pidbox)"],
  [/^server\/(failures|tasks)\//, "result backend and task events"],
  [/^server\/(db|sources|metrics|scheduler|samplers|log)/, "scheduling, store and metrics plumbing"],
  [/^(server|app|lib|components)\//, "other console code"],
];
// Library or runtime frames, used when no console frame is on the stack (a socket callback, say).
const LIBRARY_PARTS: [RegExp, string][] = [
  [/better-sqlite3|kysely/, "console store (SQLite, Kysely)"],
  [/ioredis|redis-parser/, "Redis client (ioredis)"],
  [/dockerode|docker-modem/, "Docker client (dockerode)"],
  [/pino|thread-stream|sonic-boom/, "logging (pino)"],
  [/node_modules\/(next|react|react-dom)\//, "Next.js and React runtime"],
  [/^node:(internal\/)?fs|internal\/fs\//, "file reads (node:fs)"],
  [
    /^node:(internal\/)?(net|stream|http|_http)|internal\/(streams|http)|node:internal\/stream_base/,
    "sockets and HTTP",
  ],
];

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
};

/**
 * Resolves a frame of the standalone server to the source file it was built from, through the build's own source
 * maps (`.next/server/**\/*.js.map`, left out of the standalone copy the server runs from): "server/docker/cgroup.ts",
 * "node_modules/ioredis/built/…", or null when the frame is not in a mapped chunk.
 */
function sourceResolver(buildDir: string): (frame: ProfileNode["callFrame"]) => string | null {
  const maps = new Map<string, SourceMap | null>();
  return ({ url, lineNumber, columnNumber }) => {
    const at = url.indexOf("/.next/server/");
    if (at < 0 || lineNumber < 0) return null;
    const rel = url.slice(at + "/.next/server/".length);
    let map = maps.get(rel);
    if (map === undefined) {
      const file = path.join(buildDir, "server", `${rel}.map`);
      map = existsSync(file) ? new SourceMap(JSON.parse(readFileSync(file, "utf8")) as SourceMapPayload) : null;
      maps.set(rel, map);
    }
    const entry = map?.findEntry(lineNumber, columnNumber) as { originalSource?: string } | undefined;
    const source = entry?.originalSource;
    if (!source) return null;
    const clean = source
      .replace(/^[a-z]+:\/\/\/?/, "")
      .replace(/^(\.\.\/)+/, "")
      .replace(/^\[project\]\//, "");
    const nm = clean.indexOf("node_modules/");
    return nm >= 0 ? clean.slice(nm) : clean;
  };
}

/**
 * Where a .cpuprofile's busy samples went. Each sample goes to the nearest console source file on its stack (so a
 * readSync under server/docker/ counts as a container read, a JSON.stringify under server/live.ts as SSE), else to the
 * nearest library or runtime frame; GC and V8's own work are their own parts.
 */
function profileBreakdown(
  profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas?: number[] },
  buildDir = path.join(process.cwd(), ".next"),
  /** Only the samples of this many last ms (leaves out start-up: module loading, first passes); all when 0. */
  lastMs = 0,
): { busyShare: number; mapped: boolean; categories: Breakdown[] } {
  const resolve = sourceResolver(buildDir);
  const parent = new Map<number, number>();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  let mapped = false;
  const memo = new Map<number, { part: string; frame: string } | null>();
  const categorize = (id: number): { part: string; frame: string } | null => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    let fallback: { part: string; frame: string } | null = null;
    let found: { part: string; frame: string } | null = null;
    const leaf = byId.get(id)!.callFrame;
    for (let cur: number | undefined = id; cur !== undefined && found === null; cur = parent.get(cur)) {
      const frame = byId.get(cur)!.callFrame;
      const fn = frame.functionName;
      if (fn === "(idle)") {
        memo.set(id, null);
        return null;
      }
      const source = resolve(frame) ?? frame.url;
      if (source !== frame.url) mapped = true;
      const name =
        `${fn || "(anonymous)"} ${source.replace(/^.*\/node_modules\//, "").replace(/^node_modules\//, "")}`.trim();
      if (fn === "(garbage collector)") found = { part: "garbage collection", frame: fn };
      else if (fn === "(program)") found = { part: "V8/Node internals (program)", frame: fn };
      else {
        const part = source.startsWith("node_modules/") ? undefined : SOURCE_PARTS.find(([re]) => re.test(source))?.[1];
        // The console frame names the part; the leaf says what it was doing there.
        if (part) found = { part, frame: `${name} > ${leaf.functionName || "(anonymous)"}` };
        else if (fallback === null) {
          const lib =
            LIBRARY_PARTS.find(([re]) => re.test(source))?.[1] ??
            (fn === "stringify" || fn === "parse" ? "JSON" : null);
          if (lib) fallback = { part: lib, frame: name };
        }
      }
    }
    const out = found ?? fallback ?? { part: "unattributed (runtime, no console frame)", frame: leaf.functionName };
    memo.set(id, out);
    return out;
  };
  const counts = new Map<string, { n: number; frames: Map<string, number> }>();
  let busy = 0;
  const totalUs = (profile.timeDeltas ?? []).reduce((a, b) => a + b, 0);
  const fromUs = lastMs > 0 ? totalUs - lastMs * 1000 : -Infinity;
  let atUs = 0;
  let considered = 0;
  for (const [i, s] of profile.samples.entries()) {
    atUs += profile.timeDeltas?.[i] ?? 0;
    if (atUs < fromUs) continue;
    considered++;
    const c = categorize(s);
    if (c === null) continue;
    busy++;
    const e = counts.get(c.part) ?? { n: 0, frames: new Map<string, number>() };
    e.n++;
    e.frames.set(c.frame, (e.frames.get(c.frame) ?? 0) + 1);
    counts.set(c.part, e);
  }
  return {
    busyShare: considered ? busy / considered : 0,
    mapped,
    categories: [...counts]
      .map(([category, e]) => ({
        category,
        share: e.n / Math.max(1, busy),
        top: [...e.frames]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 3)
          .map(([f, n]) => `${f} (${Math.round((n / Math.max(1, busy)) * 1000) / 10}%)`),
      }))
      .sort((a, b) => b.share - a.share),
  };
}

async function serverCpuPerPass(server: LocalServer): Promise<{ perPassMs: number; passes: number }> {
  const c0 = processCpuMs(server.pid)!;
  const t0 = performance.now();
  await sleep(WINDOW_MS);
  const c1 = processCpuMs(server.pid)!;
  const passes = (performance.now() - t0) / INTERVAL_MS;
  return { perPassMs: (c1 - c0) / passes, passes: Math.round(passes) };
}

export interface ServerPassResult {
  n: number;
  serverMsPerPass: number;
  dockerStats: { cliMs: number; engineMs: number; wallMs: number };
  ratio: number;
  redisCallsPerPass: [string, number][];
  profile: { busyShare: number; mapped: boolean; categories: Breakdown[] } | null;
}

async function measureSize(n: number, redis: Redis): Promise<ServerPassResult> {
  const runId = `${benchRunId()}-server-${n}`;
  say(`starting ${n} containers`);
  const ids = await startContainers(runId, n, (d) => say(`  ${d}/${n}`));
  try {
    say(`console at ${INTERVAL_MS} ms: warming up ${WARM_MS / 1000} s, then ${WINDOW_MS / 1000} s measured`);
    const server = await startLocalServer(INTERVAL_MS, PORT);
    let cpu: { perPassMs: number; passes: number };
    let calls: [string, number][];
    try {
      await sleep(WARM_MS);
      const k0 = await commandCalls(redis);
      cpu = await serverCpuPerPass(server);
      calls = callsDelta(k0, await commandCalls(redis), cpu.passes);
    } finally {
      await server.stop();
    }
    say("docker stats --no-stream over the same containers");
    const reps = [];
    for (let i = 0; i < STATS_REPS; i++) reps.push(await dockerStatsCpuMs(ids));
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const dockerStats = {
      cliMs: round(med(reps.map((r) => r.cliMs))),
      engineMs: round(med(reps.map((r) => r.engineMs))),
      wallMs: round(med(reps.map((r) => r.wallMs))),
    };
    say("profiled run (node --cpu-prof)");
    const profDir = mkdtempSync(path.join(os.tmpdir(), "leakwatch-bench-prof-"));
    let profile: ServerPassResult["profile"] = null;
    try {
      // --cpu-prof is refused in NODE_OPTIONS: it goes on node's own command line.
      const profiled = await startLocalServer(INTERVAL_MS, PORT, {}, ["--cpu-prof", `--cpu-prof-dir=${profDir}`]);
      await sleep(WARM_MS + WINDOW_MS);
      await profiled.stop(); // Next's SIGTERM handler exits normally, which writes the profile
      const file = readdirSync(profDir).find((f) => f.endsWith(".cpuprofile"));
      // Only the last window: start-up (module loading) and the warm-up passes are not what a pass costs.
      if (file)
        profile = profileBreakdown(
          JSON.parse(readFileSync(path.join(profDir, file), "utf8")),
          path.join(process.cwd(), ".next"),
          WINDOW_MS,
        );
      else say("no .cpuprofile was written (the server did not exit normally)");
    } finally {
      rmSync(profDir, { recursive: true, force: true });
    }
    return {
      n,
      serverMsPerPass: round(cpu.perPassMs, 2),
      dockerStats,
      ratio: round((dockerStats.cliMs + dockerStats.engineMs) / cpu.perPassMs),
      redisCallsPerPass: calls.map(([k, v]) => [k, round(v, 1)]),
      profile,
    };
  } finally {
    await removeRunContainers(runId);
  }
}

function render(results: ServerPassResult[]): string {
  const rows = results.map(
    (r) =>
      `| ${r.n} | ${r.serverMsPerPass} | ${r.dockerStats.cliMs} + ${r.dockerStats.engineMs} | ${r.dockerStats.wallMs} | **${r.ratio}x** (${r.ratio >= 50 ? "met" : "not met"}) |`,
  );
  const out = [
    "| containers | console CPU per pass (ms) | `docker stats --no-stream` CPU: CLI + engine (ms) | docker stats wall (ms) | docker stats / console (goal: 50x) |",
    "| --: | --: | --: | --: | --: |",
    ...rows,
  ];
  for (const r of results) {
    out.push(
      "",
      `At ${r.n} containers, Redis commands per pass: ${r.redisCallsPerPass.map(([k, v]) => `${k} ${v}`).join(", ") || "none"}.`,
    );
    if (r.profile) {
      out.push(
        "",
        `Where the server's CPU went (node --cpu-prof, the last ${WINDOW_MS / 1000} s of a run as long as the measured one; ${Math.round(r.profile.busyShare * 100)}% of samples busy):`,
        "",
        "| part of the pass | share of busy samples | most sampled (share of busy samples) |",
        "| --- | --: | --- |",
        ...r.profile.categories.map(
          (c) =>
            `| ${c.category} | ${Math.round(c.share * 1000) / 10}% | ${(c.top ?? []).map((t) => t.replace(/\|/g, "\\|").replace(/`/g, "")).join("; ")} |`,
        ),
      );
    }
  }
  return out.join("\n");
}

async function runServerPassBench(): Promise<{ markdown: string; results: ServerPassResult[] }> {
  await ensureFixtureImage();
  const redis = new Redis({ port: TEST_REDIS_PORT, host: "127.0.0.1", lazyConnect: true });
  await redis.connect();
  try {
    const results: ServerPassResult[] = [];
    for (const n of SIZES) results.push(await measureSize(n, redis));
    return { markdown: render(results), results };
  } finally {
    redis.disconnect();
  }
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  runServerPassBench().then(
    ({ markdown, results }) => {
      emitMarkdownSection(markdown, results);
      process.exit(0);
    },
    (e: Error) => {
      process.stderr.write(`server bench FAILED: ${e.stack ?? e.message}\n`);
      process.exit(1);
    },
  );
}
