// `npm run bench`: runs each section in its own child process (server modules need the react-server condition,
// and per-section memory figures need a fresh process), then writes bench/results/<timestamp>.json and, after a
// full run, regenerates BENCHMARKS.md. Options: --only containers,queues (partial runs leave BENCHMARKS.md alone).
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { machineFacts } from "./lib/machine";
import { benchRedis, benchRedisUrl, flushBenchDb, readSlowlogConfig, writeSlowlogConfig } from "./lib/redis";
import { renderMarkdown, type BenchResults } from "./lib/report";
import { BENCH_RUN_LABEL } from "./lib/labels";

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH_DIR, "..");
const SECTIONS = [
  "containers",
  "server",
  "synthetic",
  "queues",
  "workers",
  "unacked",
  "results",
  "messages",
  "history",
  "memory",
  "browser",
  "sse",
  "image",
] as const;
// These drive the production build in Chromium / over HTTP, or build its image, and print their own Markdown tables.
const MARKDOWN_SECTIONS: Partial<Record<(typeof SECTIONS)[number], string>> = {
  server: "server-pass.ts",
  synthetic: "synthetic.ts",
  browser: "browser.ts",
  sse: "sse-load.ts",
  image: "image-size.ts",
};
type Section = (typeof SECTIONS)[number];

const onlyArg =
  process.argv.find((a) => a.startsWith("--only="))?.slice(7) ?? process.argv[process.argv.indexOf("--only") + 1];
const only = process.argv.some((a) => a.startsWith("--only")) ? (onlyArg ?? "").split(",").filter(Boolean) : null;
for (const s of only ?? [])
  if (!(SECTIONS as readonly string[]).includes(s))
    throw new Error(`unknown section "${s}" (known: ${SECTIONS.join(", ")})`);
const selected = SECTIONS.filter((s) => !only || only.includes(s));

const runId = `${Date.now().toString(36)}-${process.pid}`;
const scratch = mkdtempSync(path.join(os.tmpdir(), "leakwatch-bench-"));
let interrupted = false;
let child: ReturnType<typeof spawn> | null = null;
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    // The child cleans up on the same signal; we wait for it, then sweep behind it.
    interrupted = true;
    child?.kill(sig);
  });
}

function log(message: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] bench: ${message}\n`);
}

function runChild(section: Section): Promise<{ ok: boolean; result: unknown; seconds: number }> {
  const out = path.join(scratch, `${section}.result.json`);
  const tsx = path.join(ROOT, "node_modules/.bin/tsx");
  const started = Date.now();
  const markdownScript = MARKDOWN_SECTIONS[section];
  const script = markdownScript
    ? path.join(BENCH_DIR, markdownScript)
    : path.join(BENCH_DIR, "sections", `${section}.ts`);
  return new Promise((resolve) => {
    let stdout = "";
    child = spawn(tsx, ["--conditions=react-server", "--expose-gc", script], {
      cwd: ROOT,
      stdio: ["ignore", markdownScript ? "pipe" : "inherit", "inherit"],
      env: { ...process.env, BENCH_OUT: out, BENCH_SCRATCH: scratch, BENCH_RUN_ID: runId },
    });
    child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    child.once("exit", (code) => {
      child = null;
      const seconds = Math.round((Date.now() - started) / 100) / 10;
      if (markdownScript) {
        resolve({
          ok: code === 0,
          seconds,
          result:
            code === 0
              ? {
                  markdown: stdout.trim(),
                  figures: existsSync(out) ? (JSON.parse(readFileSync(out, "utf8")) as unknown) : null,
                }
              : { error: `exited with code ${code}` },
        });
        return;
      }
      const ok = code === 0 && existsSync(out);
      resolve({
        ok,
        seconds,
        result: ok ? JSON.parse(readFileSync(out, "utf8")) : { error: `exited with code ${code}` },
      });
    });
  });
}

/** Whatever a crashed section left: bench containers, slowlog settings, keys in the bench db. */
function sweepContainers(): void {
  const ids = execFileSync("docker", ["ps", "-aq", "--filter", `label=${BENCH_RUN_LABEL}=${runId}`], {
    encoding: "utf8",
  })
    .split("\n")
    .filter(Boolean);
  if (ids.length > 0) {
    log(`removing ${ids.length} containers left behind`);
    for (let i = 0; i < ids.length; i += 50)
      execFileSync("docker", ["rm", "-f", ...ids.slice(i, i + 50)], { stdio: "ignore" });
  }
}

/** BENCHMARKS.md from one run's results (the Markdown sections' tables are pasted as they are). */
function writeBenchmarks(all: BenchResults, file: string): void {
  const server = (all.results.server as { markdown?: string } | undefined)?.markdown;
  const synthetic = (all.results.synthetic as { markdown?: string } | undefined)?.markdown;
  const browser = (all.results.browser as { markdown?: string } | undefined)?.markdown;
  const sse = (all.results.sse as { markdown?: string } | undefined)?.markdown;
  const image = (all.results.image as { markdown?: string } | undefined)?.markdown;
  const extra = [
    server &&
      `## The whole console per pass, beside docker stats\n\nThe production server at a 1 s interval with N running containers and Dify's 16 queues on one broker, no browser open; CPU of the server process over 30 s per pass, against one \`docker stats --no-stream\` (CLI plus dockerd, containerd, shims) over the same containers (bench/server-pass.ts). A second run under \`node --cpu-prof\` says where the CPU goes: each sample is attributed, through the build's own source maps, to the nearest console source file on its stack (so a file read under \`server/docker/\` counts as a container read and a \`JSON.stringify\` under \`server/live.ts\` as SSE), else to the library or runtime frame it is in.\n\n${server}`,
    synthetic &&
      `## Cost growth: 1,000 and 5,000 containers on a generated cgroup tree\n\nThe per-container part of a pass (cgroup v2 reads of the scope and its ancestors, kernel limits, the forecast, a third of the containers leaking) over a generated systemd-driver tree, as LEAKWATCH_CGROUP_ROOT/LEAKWATCH_PROC_ROOT would point the console at it; the Docker list and inspect need a real engine and are in the sections above (bench/synthetic.ts). Flat or falling per container is the goal.\n\n${synthetic}`,
    browser &&
      `## Browser: JavaScript per route, first load, a day-long chart, a 1,000-row table\n\nThe production build in Debian's Chromium (bench/browser.ts).\n\n${browser}`,
    sse &&
      `## Live updates under load: 200 SSE clients\n\n200 HTTP clients on /api/events plus 5 Chromium tabs for 60 s (BENCH_SSE_CLIENTS, BENCH_SSE_SECONDS), beside a 1-client control run (bench/sse-load.ts).\n\n${sse}`,
    image &&
      `## The console image\n\nBuilt by scripts/build-image.sh on a base made here from Debian packages (bench/image-size.ts).\n\n${image}`,
  ]
    .filter(Boolean)
    .join("\n\n");
  writeFileSync(
    path.join(ROOT, "BENCHMARKS.md"),
    `${renderMarkdown(all, path.relative(ROOT, file)).trimEnd()}\n\n${extra}\n`,
  );
  log("BENCHMARKS.md regenerated");
}

async function main(): Promise<number> {
  log(`run ${runId}: sections ${selected.join(", ")}; Redis ${benchRedisUrl()}`);
  const machine = await machineFacts(benchRedisUrl());
  const redis = await benchRedis();
  const slowlog = await readSlowlogConfig(redis);
  const results: Partial<Record<Section, unknown>> = {};
  const durations: Partial<Record<Section, number>> = {};
  const failed: Section[] = [];
  try {
    for (const section of selected) {
      if (interrupted) break;
      log(`--- ${section} ---`);
      const r = await runChild(section);
      results[section] = r.result;
      durations[section] = r.seconds;
      if (!r.ok) failed.push(section);
      log(`${section}: ${r.ok ? "done" : "FAILED"} in ${r.seconds} s`);
      if (section === "containers") sweepContainers();
    }
  } finally {
    sweepContainers();
    await writeSlowlogConfig(redis, slowlog).catch((e: Error) =>
      log(`could not restore slowlog settings: ${e.message}`),
    );
    redis.disconnect();
    await flushBenchDb().catch((e: Error) => log(`could not empty the bench db: ${e.message}`));
    rmSync(scratch, { recursive: true, force: true });
  }

  const loadAverageAtEnd = os.loadavg().map((n) => Math.round(n * 100) / 100);
  const all: BenchResults = {
    runId,
    machine,
    loadAverageAtEnd,
    sectionsRun: selected,
    failed,
    durationsSeconds: durations,
    results,
  };
  const stamp = machine.date.replace(/[:.]/g, "-");
  mkdirSync(path.join(BENCH_DIR, "results"), { recursive: true });
  const file = path.join(BENCH_DIR, "results", `${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
  log(`results: ${path.relative(ROOT, file)}`);
  if (!only && failed.length === 0 && !interrupted) writeBenchmarks(all, file);
  else log("partial or failed run: BENCHMARKS.md left as it was");
  if (interrupted) return 130;
  return failed.length > 0 ? 1 : 0;
}

// `--render <results.json>`: BENCHMARKS.md again from a saved full run (after a change to how it is written).
const renderArg = process.argv.indexOf("--render");
const renderFrom = renderArg > 0 ? process.argv[renderArg + 1] : undefined;
(renderFrom
  ? Promise.resolve().then(() => {
      const all = JSON.parse(readFileSync(renderFrom, "utf8")) as BenchResults;
      if (all.failed.length > 0 || all.sectionsRun.length < SECTIONS.length - 1)
        throw new Error(`${renderFrom} is not a full run without failures`);
      writeBenchmarks(all, path.resolve(renderFrom));
      rmSync(scratch, { recursive: true, force: true });
      return 0;
    })
  : main()
).then(
  (code) => process.exit(code),
  (e: Error) => {
    log(`FAILED: ${e.stack ?? e.message}`);
    process.exit(1);
  },
);
