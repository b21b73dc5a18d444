// Cost growth (issue 18, goal 3): the per-container part of a sampling pass (cgroup reads of the container and its
// ancestors, kernel limits, the forecast) over 1,000 and 5,000 containers, on a generated cgroup v2 + /proc tree laid
// out as Docker's systemd driver lays it out (the console reads it through LEAKWATCH_CGROUP_ROOT/LEAKWATCH_PROC_ROOT).
// The Docker list and inspect are left out: they need a real engine (the real-container figures at 10/50/200 are in
// the containers section) and are cached per container after the first pass. Reported as CPU per container per pass;
// flat in N is the goal.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { readContainerCgroup } from "@/server/docker/cgroup";
import type { CgroupLocation } from "@/server/docker/cgroup-fs";
import { memoForecast, type ForecastMemo } from "@/server/docker/forecast";
import { emitMarkdownSection } from "./lib/section";

const SIZES = (process.env.BENCH_SYNTHETIC_SIZES ?? "100,1000,5000")
  .split(",")
  .map(Number)
  .filter((n) => n > 0);
const PASSES = 10;
const INTERVAL_MS = 1000;
const HISTORY_POINTS = 600; // ten minutes at 1 s: a full forecast window
const say = (m: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] synthetic: ${m}\n`);

function write(root: string, rel: string, content: string): void {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}

/** N containers under system.slice, a third of them leaking (their pids.current rises each pass). */
function makeTree(dir: string, n: number): { id: string; pid: number; scope: string }[] {
  const cg = path.join(dir, "cgroup");
  const proc = path.join(dir, "proc");
  write(cg, "cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
  write(cg, "system.slice/pids.max", "max\n");
  write(cg, "system.slice/pids.current", `${n * 5}\n`);
  write(proc, "sys/kernel/pid_max", "4194304\n");
  write(proc, "sys/kernel/threads-max", "199720\n");
  write(proc, "loadavg", "1.00 1.00 1.00 4/31250 1012999\n");
  return Array.from({ length: n }, (_, i) => {
    const id = i.toString(16).padStart(64, "0");
    const pid = 100_000 + i;
    const scope = `system.slice/docker-${id}.scope`;
    write(cg, `${scope}/pids.max`, "29958\n");
    write(cg, `${scope}/pids.current`, "5\n");
    write(cg, `${scope}/pids.peak`, "5\n");
    write(cg, `${scope}/pids.events`, "max 0\n");
    write(cg, `${scope}/cgroup.procs`, `${pid}\n`);
    write(proc, `${pid}/cgroup`, `0::/${scope}\n`);
    return { id, pid, scope };
  });
}

interface SizeResult {
  n: number;
  cpuUsPerContainerPerPass: number;
  wallMsPerPass: number;
}

async function measure(n: number): Promise<SizeResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "leakwatch-bench-synthetic-"));
  try {
    say(`generating ${n} containers`);
    const containers = makeTree(dir, n);
    const roots = { cgroupRoot: path.join(dir, "cgroup"), procRoot: path.join(dir, "proc") };
    const locations = new Map<string, CgroupLocation>();
    const history = new Map<string, [number, number][]>();
    const memos = new Map<string, ForecastMemo | undefined>();
    const t0 = Date.now() - HISTORY_POINTS * INTERVAL_MS;
    containers.forEach((c, i) => {
      const leaking = i % 3 === 0;
      history.set(
        c.id,
        Array.from(
          { length: HISTORY_POINTS },
          (_, k) => [t0 + k * INTERVAL_MS, leaking ? 5 + k : 5] as [number, number],
        ),
      );
    });
    const pass = async (p: number) => {
      const now = t0 + (HISTORY_POINTS + p) * INTERVAL_MS;
      for (const [i, c] of containers.entries()) {
        if (i % 3 === 0) write(roots.cgroupRoot, `${c.scope}/pids.current`, `${5 + HISTORY_POINTS + p}\n`);
      }
      const started = process.cpuUsage();
      const wall = performance.now();
      // The sampler reads containers with bounded concurrency: 128 at a time, as server/docker/sampler.ts does.
      let next = 0;
      await Promise.all(
        Array.from({ length: 128 }, async () => {
          while (next < containers.length) {
            const c = containers[next++]!;
            const r = await readContainerCgroup(roots, { id: c.id, hostPid: c.pid, location: locations.get(c.id) });
            if (!r.ok) throw new Error(r.error);
            locations.set(c.id, r.reading.location);
            const pts = history.get(c.id)!;
            pts.push([now, r.reading.pids.current ?? 0]);
            if (pts.length > 1500) pts.shift();
            memos.set(c.id, memoForecast(pts, [], now, memos.get(c.id)).memo);
          }
        }),
      );
      const cpu = process.cpuUsage(started);
      return { cpuUs: cpu.user + cpu.system, wallMs: performance.now() - wall };
    };
    await pass(0); // finds every location, computes every forecast once, as a console's first pass does
    const runs = [];
    for (let p = 1; p <= PASSES; p++) runs.push(await pass(p));
    const cpuUs = runs.reduce((s, r) => s + r.cpuUs, 0) / PASSES;
    const wallMs = runs.reduce((s, r) => s + r.wallMs, 0) / PASSES;
    return { n, cpuUsPerContainerPerPass: Math.round(cpuUs / n), wallMsPerPass: Math.round(wallMs) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runSyntheticBench(): Promise<{ markdown: string; results: SizeResult[] }> {
  const results: SizeResult[] = [];
  for (const n of SIZES) results.push(await measure(n));
  const base = results[0]!;
  const rows = results.map(
    (r) =>
      `| ${r.n} | ${r.cpuUsPerContainerPerPass} | ${Math.round((r.cpuUsPerContainerPerPass / base.cpuUsPerContainerPerPass) * 100) / 100}x | ${r.wallMsPerPass} |`,
  );
  const markdown = [
    `| containers | CPU per container per pass (µs) | vs ${base.n} | wall per pass (ms) |`,
    "| --: | --: | --: | --: |",
    ...rows,
  ].join("\n");
  return { markdown, results };
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  runSyntheticBench().then(
    ({ markdown, results }) => {
      emitMarkdownSection(markdown, results);
      process.exit(0);
    },
    (e: Error) => {
      process.stderr.write(`synthetic bench FAILED: ${e.stack ?? e.message}\n`);
      process.exit(1);
    },
  );
}
