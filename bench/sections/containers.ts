// Section 1: one container sampling pass at N = 10, 50, 200 containers, three ways, on the same containers:
// (a) sampleHost on the cgroupfs path, (b) sampleHost forced onto the Docker API path, (c) `docker stats --no-stream`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseConfig, setConfigForTests, type DockerHostConfig } from "@/server/config";
import { readContainerCgroup } from "@/server/docker/cgroup";
import { ancestry } from "@/server/docker/cgroup-fs";
import { dockerFor } from "@/server/docker/endpoints";
import { subscribeEvents } from "@/server/docker/events";
import { sampleHost, type SamplerConfig } from "@/server/docker/sampler";
import { ensureFixtureImage } from "@/server/testing/harness";
import { cpuDelta, engineCpu, enginePids, type EngineCpu } from "../lib/engine-cpu";
import { dockerStatsOnce, POOL_THREADS, removeRunContainers, runningCount, startContainers } from "../lib/fleet";
import { benchRunId, progress, runSection, scratchDir } from "../lib/section";
import { nowMs, round, summary, timed } from "../lib/stats";
import { readKept } from "@/server/docker/kept-files";

const SIZES = (process.env.BENCH_CONTAINER_SIZES ?? "10,50,200")
  .split(",")
  .map(Number)
  .filter((n) => n > 0);
// The API path is slow by nature (see README), so fewer reps there keep the whole run near ten minutes.
const REPS = { cgroupfs: 9, api: 3, dockerStats: 3 };
const IDLE_WINDOW_MS = 3000;
const HOST: DockerHostConfig = { name: "local", url: "unix:///var/run/docker.sock" };
const say = (m: string) => progress("containers", m);

type Method = "cgroupfs" | "dockerApi" | "dockerStats";
interface MethodResult {
  wallMs: ReturnType<typeof summary>;
  enginePerPassMs: EngineCpu;
  benchCpuPerPassMs: number | null;
}

/** Runs `pass` reps times and charges the engine's CPU over all of them, per pass. */
async function measure(reps: number, pass: () => Promise<void>): Promise<MethodResult> {
  const pids = enginePids();
  const cpu0 = engineCpu(pids);
  const own0 = process.cpuUsage();
  const walls: number[] = [];
  for (let i = 0; i < reps; i++) walls.push((await timed(pass)).ms);
  const own = process.cpuUsage(own0);
  const d = cpuDelta(cpu0, engineCpu(pids), reps);
  return {
    wallMs: summary(walls),
    enginePerPassMs: { dockerdMs: round(d.dockerdMs), containerdMs: round(d.containerdMs), shimsMs: round(d.shimsMs) },
    benchCpuPerPassMs: round((own.user + own.system) / 1000 / reps),
  };
}

async function measureSize(n: number, ids: string[], cfg: SamplerConfig, apiCfg: SamplerConfig) {
  const ours = new Set(ids);
  // Warm-up: also waits until every pool is up, so all three methods see the same, settled thread counts.
  const warmStart = nowMs();
  let first = await sampleHost(HOST, cfg);
  const coldPassMs = nowMs() - warmStart;
  for (let tries = 0; ; tries++) {
    const mine = first.containers.filter((c) => ours.has(c.id));
    if (mine.length === n && mine.every((c) => c.pids.current === POOL_THREADS + 1)) break;
    if (tries > 120) throw new Error(`only ${mine.length}/${n} containers show ${POOL_THREADS + 1} tasks after 60 s`);
    await new Promise((r) => setTimeout(r, 500));
    first = await sampleHost(HOST, cfg);
  }
  if (first.via !== "cgroupfs") throw new Error(`expected the cgroupfs path, got ${first.via}`);
  const sampled = first.containers.map((c) => c.id);
  say(`N=${n}: ${sampled.length} running containers sampled (${sampled.length - n} not ours); measuring`);

  let last = first;
  const cgroupfs = await measure(REPS.cgroupfs, async () => {
    last = await sampleHost(HOST, cfg);
  });
  say(`N=${n}: cgroupfs median ${cgroupfs.wallMs.median} ms; now the Docker API path`);
  // No warm-up here: this path keeps no cache, and each pass costs seconds (see bench/README.md).
  let apiLast: Awaited<ReturnType<typeof sampleHost>> | null = null;
  const dockerApi = await measure(REPS.api, async () => {
    apiLast = await sampleHost(HOST, apiCfg);
  });
  if (apiLast!.via !== "docker-api") throw new Error(`expected the docker-api path, got ${apiLast!.via}`);
  // Only ours: other containers (a test run's) may vanish mid-call, which makes the CLI fail. The sampler passes
  // above cover ours plus those few others, so this leans, if anything, against the sampler.
  say(`N=${n}: API median ${dockerApi.wallMs.median} ms; now docker stats --no-stream`);
  let statsLines = 0;
  const dockerStats = await measure(REPS.dockerStats, async () => {
    statsLines = (await dockerStatsOnce(ids)).lines;
  });

  // The two paths must agree on what they measure, or the comparison means nothing.
  const byId = new Map(apiLast!.containers.map((c) => [c.id, c.pids.current]));
  const agree = last.containers.filter((c) => ours.has(c.id) && byId.get(c.id) === c.pids.current).length;
  if (agree !== n)
    throw new Error(`cgroupfs and Docker API disagree on pids.current for ${n - agree} of ${n} containers`);

  const perContainer = await cgroupReadCost(ids, cfg);
  // What the engine burns with nobody asking (shims of N containers tick on their own), for scale: per second.
  const idle = await measure(1, () => new Promise((r) => setTimeout(r, IDLE_WINDOW_MS)));
  const perSecond = (ms: number) => round((ms * 1000) / IDLE_WINDOW_MS);
  return {
    n,
    sampledContainers: sampled.length,
    dockerStatsLines: statsLines,
    coldFirstPassMs: round(coldPassMs),
    methods: { cgroupfs, dockerApi, dockerStats } satisfies Record<Method, MethodResult>,
    ratios: {
      dockerStatsOverCgroupfs: round(dockerStats.wallMs.median / cgroupfs.wallMs.median),
      dockerStatsOverApi: round(dockerStats.wallMs.median / dockerApi.wallMs.median),
      apiOverCgroupfs: round(dockerApi.wallMs.median / cgroupfs.wallMs.median),
    },
    cgroupRead: perContainer,
    engineIdlePerSecondMs: {
      dockerdMs: perSecond(idle.enginePerPassMs.dockerdMs),
      containerdMs: perSecond(idle.enginePerPassMs.containerdMs),
      shimsMs: perSecond(idle.enginePerPassMs.shimsMs),
    },
    pidsAgreeing: agree,
    summaries: last.containers.filter((c) => ours.has(c.id)),
  };
}

/** The bare cost of readContainerCgroup per container, once the location is known (as in a warm pass). */
async function cgroupReadCost(ids: string[], cfg: SamplerConfig) {
  const client = dockerFor(HOST);
  const targets = await Promise.all(
    ids.map(async (id) => {
      const inspect = await client.inspectContainer(id);
      const located = await readContainerCgroup(cfg, { id, hostPid: inspect.pid, dockerPidsLimit: inspect.pidsLimit });
      if (!located.ok) throw new Error(located.error);
      return { id, hostPid: inspect.pid, dockerPidsLimit: inspect.pidsLimit, location: located.reading.location };
    }),
  );
  const coldUs: number[] = [];
  for (const t of targets.slice(0, 50)) {
    const { ms } = await timed(() => readContainerCgroup(cfg, { ...t, location: null }));
    coldUs.push(ms * 1000);
  }
  const warmUs: number[] = [];
  for (let round5 = 0; round5 < 5; round5++) {
    for (const t of targets) {
      const { ms, value } = await timed(() => readContainerCgroup(cfg, t));
      if (!value.ok) throw new Error(value.error);
      warmUs.push(ms * 1000);
    }
  }
  // Floor, for context only: the same files read with readFileSync (pseudo-files never block on a disk).
  const syncUs: number[] = [];
  for (const t of targets) {
    const files = filesRead(t.location.hierarchyDir, t.location.path, cfg.procRoot);
    const start = nowMs();
    for (const f of files) {
      try {
        readFileSync(f, "utf8");
      } catch {
        // pids.peak is absent on older kernels; readContainerCgroup tries it too
      }
    }
    syncUs.push((nowMs() - start) * 1000);
  }
  // The container's own four pids files, read every pass: open/read/close against a kept descriptor read at 0
  // (server/docker/kept-files.ts, what the sampler does since issue 18).
  const ownOpenUs: number[] = [];
  const ownKeptUs: number[] = [];
  for (let round = 0; round < 5; round++) {
    for (const t of targets) {
      const own = filesRead(t.location.hierarchyDir, t.location.path, cfg.procRoot).slice(0, 4);
      let start = nowMs();
      for (const f of own) {
        try {
          readFileSync(f, "utf8");
        } catch {
          // pids.peak is absent on older kernels
        }
      }
      ownOpenUs.push((nowMs() - start) * 1000);
      start = nowMs();
      for (const f of own) readKept(f);
      ownKeptUs.push((nowMs() - start) * 1000);
    }
  }
  return {
    warmUs: summary(warmUs),
    locateAndReadUs: summary(coldUs),
    syncFloorUs: summary(syncUs),
    ownOpenReadCloseUs: summary(ownOpenUs),
    ownKeptUs: summary(ownKeptUs),
  };
}

/** The files readContainerCgroup reads for a container whose location is known. */
function filesRead(hierarchyDir: string, rel: string, procRoot: string): string[] {
  const own = ["pids.max", "pids.current", "pids.peak", "pids.events"].map((f) => path.join(hierarchyDir, rel, f));
  const up = ancestry(rel)
    .slice(1)
    .flatMap((a) => ["pids.max", "pids.current"].map((f) => path.join(hierarchyDir, a, f)));
  const kernel = ["sys/kernel/threads-max", "sys/kernel/pid_max", "loadavg"].map((f) => path.join(procRoot, f));
  return [...own, ...up, ...kernel];
}

const runId = benchRunId();
const emptyCgroupRoot = mkdtempSync(path.join(os.tmpdir(), "leakwatch-bench-nocgroup-"));

runSection(
  "containers",
  async () => {
    const base = parseConfig({});
    setConfigForTests(base);
    const cfg: SamplerConfig = base;
    // An empty cgroup root: canReadCgroupfs() finds no pids hierarchy, so sampleHost takes the Docker API path.
    const apiCfg: SamplerConfig = { ...base, cgroupRoot: emptyCgroupRoot };
    // As in the console: the events stream keeps the container list current, so a pass does not list every time.
    const stopEvents = await new Promise<() => void>((resolve) => {
      const stop = subscribeEvents(
        HOST,
        () => {},
        (st) => {
          if (st.connected) resolve(stop);
        },
      );
    });
    say("building/checking the fixture image");
    await ensureFixtureImage();
    const others = await runningCount();
    const results = [];
    const startTimes: { n: number; startMs: number }[] = [];
    const ids: string[] = [];
    for (const n of SIZES) {
      const add = n - ids.length;
      say(`starting ${add} containers (to ${n})`);
      const t0 = nowMs();
      ids.push(...(await startContainers(runId, add, (done) => say(`  ${done}/${add} started`))));
      startTimes.push({ n, startMs: round(nowMs() - t0) });
      const r = await measureSize(n, ids, cfg, apiCfg);
      say(
        `N=${n}: cgroupfs ${r.methods.cgroupfs.wallMs.median} ms, API ${r.methods.dockerApi.wallMs.median} ms, docker stats ${r.methods.dockerStats.wallMs.median} ms`,
      );
      const { summaries, ...rest } = r;
      if (n === Math.max(...SIZES))
        writeFileSync(path.join(scratchDir(), "containers.json"), JSON.stringify(summaries));
      results.push(rest);
    }
    stopEvents();
    return { otherRunningContainersAtStart: others, poolThreads: POOL_THREADS, startTimes, reps: REPS, sizes: results };
  },
  async () => {
    say("removing bench containers");
    const removed = await removeRunContainers(runId);
    say(`removed ${removed} containers`);
    rmSync(emptyCgroupRoot, { recursive: true, force: true });
  },
);
