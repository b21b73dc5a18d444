// Renders a run's results as BENCHMARKS.md: tables first, then how to read them. Generated; never edited by hand.
import { goalsTable, workersSection } from "./goals";
import { fmt, table } from "./markdown";
import type { MachineFacts } from "./machine";

export interface BenchResults {
  runId: string;
  machine: MachineFacts;
  loadAverageAtEnd: number[];
  sectionsRun: readonly string[];
  failed: string[];
  durationsSeconds: Partial<Record<string, number>>;
  results: Partial<Record<string, unknown>>;
}

interface Stat {
  median: number;
  p95: number;
  min: number;
  max: number;
  n: number;
}
interface EngineCpu {
  dockerdMs: number;
  containerdMs: number;
  shimsMs: number;
}
interface Method {
  wallMs: Stat;
  enginePerPassMs: EngineCpu;
  benchCpuPerPassMs: number;
}
interface ContainersResult {
  otherRunningContainersAtStart: number;
  poolThreads: number;
  sizes: {
    n: number;
    sampledContainers: number;
    coldFirstPassMs: number;
    methods: { cgroupfs: Method; dockerApi: Method; dockerStats: Method };
    ratios: { dockerStatsOverCgroupfs: number; dockerStatsOverApi: number; apiOverCgroupfs: number };
    cgroupRead: {
      warmUs: Stat;
      locateAndReadUs: Stat;
      syncFloorUs: Stat;
      /** Older results lack these two. */
      ownOpenReadCloseUs?: Stat;
      ownKeptUs?: Stat;
    };
    engineIdlePerSecondMs: EngineCpu;
  }[];
}
interface DepthCompare {
  queues: number;
  keys: number;
  messages: number;
  pipelinedMs: Stat;
  naiveMs: Stat;
  ratio: number;
}
interface QueuesResult {
  seededMessages: number;
  dify: DepthCompare;
  many: DepthCompare;
  sampleBroker: {
    queues: number;
    passMs: Stat;
    /** From the pass's start to its depths being handed out (onDepths), before the pidbox round ends. */
    depthsPublishedMs?: Stat;
    pidboxWaitMs: number;
    withoutPidboxMs: number;
    intervalMs: number;
    shareOfInterval: number;
  };
}
interface Slow {
  commands: number;
  maxUs: number;
  slowestCommand: string | null;
  byCommand: Record<string, { count: number; maxUs: number; totalUs: number }>;
}
interface SlowlogSummary {
  commands: number;
  maxUs: number;
  slowestCommand: string | null;
  byCommand: Record<string, { count: number; maxUs: number; totalUs: number }>;
}

interface MessagesResult {
  messages: number;
  payloadBytes: number;
  redisUsedMemoryMiB: number | null;
  firstPageMs: { median: number; p95: number; max: number };
  deepPageMs: { median: number; p95: number; max: number };
  deepOffset: number;
  search100kMs: number;
  takeFromMiddleMs: number;
  takeNearTailMs: number;
  takeNearTailOffset: number;
  slowlog: {
    browse: SlowlogSummary;
    search: SlowlogSummary;
    takeFromMiddle: SlowlogSummary;
    takeNearTail: SlowlogSummary;
  };
}

interface UnackedResult {
  entries: number;
  payloadBytes: number;
  redisUsedMemoryMiB: number | null;
  wallMs: number;
  orphaned: number;
  memory: {
    before: { rssMiB: number; heapUsedMiB: number };
    peakRssDeltaMiB: number;
    rssDeltaMiB: number;
    heapDeltaAfterGcMiB: number;
  };
  slowlog: { readInFlight: Slow; hgetallForContrast: Slow };
}
interface HistoryResult {
  series: { containers: number; queues: number };
  rowsPerSeries: { raw: number; s60: number; s600: number };
  rows: { total: number };
  writerPasses: number;
  writePassMs: Stat;
  dbMiB: number;
  bytesPerRow: number;
  compactMs: { containers: number; queues: number };
  containerHistory7dMs: Stat;
  containerHistory7dPoints: number;
  queueHistory7dMs: Stat;
}
interface MemoryResult {
  containers: number;
  queues: number;
  ringPointsPerContainer: number;
  sparkPointsPerQueue: number;
  before: { rssMiB: number; heapUsedMiB: number };
  after: { rssMiB: number; heapUsedMiB: number };
  rssDeltaMiB: number;
  heapDeltaMiB: number;
  snapshotJsonBytes: { containers: number; queues: number };
}

const x = (n: number) => `${fmt(n)}x`;
const ok = (r: unknown): boolean => r !== undefined && !(typeof r === "object" && r !== null && "error" in r);

function machine(m: MachineFacts, r: BenchResults): string {
  return [
    "## Machine",
    "",
    table(
      ["", ""],
      [
        ["Date", m.date],
        ["CPUs", `${m.cpuCount} x ${m.cpuModel}`],
        ["Memory", `${m.memoryGiB} GiB`],
        ["Kernel", m.kernel],
        ["OS", m.os ?? "n/a"],
        ["Docker", `${m.docker ?? "n/a"}, ${m.dockerCgroup ?? ""}`],
        ["Redis", m.redis ?? "n/a"],
        ["SQLite", m.sqlite],
        ["Node", m.node],
        [
          "Load average (1/5/15 min) at start; at end",
          `${m.loadAverage.join(" / ")}; ${r.loadAverageAtEnd.join(" / ")}`,
        ],
        ["Commit", m.gitCommit ?? "n/a"],
        [
          "Section durations",
          Object.entries(r.durationsSeconds)
            .map(([k, v]) => `${k} ${v} s`)
            .join(", "),
        ],
      ],
    ),
  ].join("\n");
}

function containers(c: ContainersResult): string {
  const at = c.sizes[c.sizes.length - 1];
  const target = at
    ? `At ${at.n} containers \`docker stats --no-stream\` took **${x(at.ratios.dockerStatsOverCgroupfs)}** as long as one cgroupfs pass (target: at least 100x; ${at.ratios.dockerStatsOverCgroupfs >= 100 ? "met" : "**not met**"}).`
    : "";
  return [
    "## 1. Container sampling",
    "",
    `One pass over every running container, median wall time in ms. The sampler passes cover all running containers (N bench containers running a fixed pool of ${c.poolThreads} threads, plus ${c.otherRunningContainersAtStart} others that were running); \`docker stats\` is given only the N bench containers.`,
    "",
    table(
      [
        "N",
        "sampled",
        "cgroupfs pass",
        "Docker API pass",
        "docker stats --no-stream",
        "stats / cgroupfs",
        "stats / API",
        "API / cgroupfs",
        "first pass (inspects)",
      ],
      c.sizes.map((s) => [
        s.n,
        s.sampledContainers,
        s.methods.cgroupfs.wallMs.median,
        s.methods.dockerApi.wallMs.median,
        s.methods.dockerStats.wallMs.median,
        x(s.ratios.dockerStatsOverCgroupfs),
        x(s.ratios.dockerStatsOverApi),
        x(s.ratios.apiOverCgroupfs),
        s.coldFirstPassMs,
      ]),
    ),
    "",
    target,
    "",
    "CPU time per pass, ms (engine: dockerd / containerd / all containerd shims; console: the bench process). Clock ticks are 10 ms, so small values are coarse. The *idle* rows are the engine's CPU per second with nobody asking: a long pass accrues that too.",
    "",
    table(
      ["N", "method", "dockerd", "containerd", "shims", "console CPU", "wall p95"],
      c.sizes.flatMap((s) => [
        ...(["cgroupfs", "dockerApi", "dockerStats"] as const).map((k) => {
          const m = s.methods[k];
          return [
            s.n,
            k === "dockerApi" ? "Docker API" : k === "dockerStats" ? "docker stats" : "cgroupfs",
            m.enginePerPassMs.dockerdMs,
            m.enginePerPassMs.containerdMs,
            m.enginePerPassMs.shimsMs,
            k === "dockerStats" ? "(CLI, not counted)" : m.benchCpuPerPassMs,
            m.wallMs.p95,
          ];
        }),
        [
          s.n,
          "idle, per second",
          s.engineIdlePerSecondMs.dockerdMs,
          s.engineIdlePerSecondMs.containerdMs,
          s.engineIdlePerSecondMs.shimsMs,
          "",
          "",
        ],
      ]),
    ),
    "",
    "Reading one container's cgroup files with `readContainerCgroup`, microseconds (sequential, one container at a time):",
    "",
    table(
      [
        "N",
        "warm (location known) median",
        "warm p95",
        "first read (locate + read) median",
        "floor: same files with readFileSync",
        "own 4 pids files: open/read/close",
        "own 4 pids files: kept descriptor",
      ],
      c.sizes.map((s) => [
        s.n,
        s.cgroupRead.warmUs.median,
        s.cgroupRead.warmUs.p95,
        s.cgroupRead.locateAndReadUs.median,
        s.cgroupRead.syncFloorUs.median,
        s.cgroupRead.ownOpenReadCloseUs?.median ?? "n/a",
        s.cgroupRead.ownKeptUs?.median ?? "n/a",
      ]),
    ),
  ].join("\n");
}

function queues(q: QueuesResult): string {
  const s = q.sampleBroker;
  return [
    "## 2. Queue scan",
    "",
    "Depth of every queue (sum of LLEN over its four kombu priority lists), median ms. `readDepths` reads up to 1,000 keys per call of one small Lua script (LLEN each); the naive loop awaits one LLEN per key.",
    "",
    table(
      ["queues", "keys", "messages", "readDepths (batched)", "one LLEN per key", "ratio"],
      [q.dify, q.many].map((d) => [d.queues, d.keys, d.messages, d.pipelinedMs.median, d.naiveMs.median, x(d.ratio)]),
    ),
    "",
    `A whole \`sampleBroker\` pass over ${fmt(s.queues)} configured queues: median **${fmt(s.passMs.median)} ms** (max ${fmt(s.passMs.max)}), ${Math.round(s.shareOfInterval * 100)}% of the ${fmt(s.intervalMs)} ms interval. Of that, ${fmt(s.pidboxWaitMs)} ms is the pidbox round (no workers answer here, so it waits its full timeout) and about ${fmt(s.withoutPidboxMs)} ms is Redis work and parsing.${
      s.depthsPublishedMs
        ? ` The pass no longer holds its depths back for that wait: they are published after a median of **${fmt(s.depthsPublishedMs.median)} ms** (max ${fmt(s.depthsPublishedMs.max)}), while the pidbox round runs alongside; worker answers, in-flight counts and rates follow when it ends.`
        : ""
    }`,
  ].join("\n");
}

function unacked(u: UnackedResult): string {
  const scan = u.slowlog.readInFlight;
  const cmd = (name: string) => scan.byCommand[name];
  return [
    "## 3. In-flight (`unacked`) at 100,000 entries",
    "",
    table(
      ["", ""],
      [
        [
          "Entries (captured payloads, ~1 KB each)",
          `${fmt(u.entries)} (${fmt(Math.round(u.payloadBytes / 1048576))} MiB of values; Redis used_memory ${fmt(u.redisUsedMemoryMiB)} MiB)`,
        ],
        ["`readInFlight` wall time", `**${fmt(u.wallMs)} ms**`],
        ["Longest single Redis command (SLOWLOG)", `**${fmt(scan.maxUs)} us** (\`${scan.slowestCommand ?? ""} ...\`)`],
        ["HSCAN calls / longest", `${fmt(cmd("HSCAN")?.count)} / ${fmt(cmd("HSCAN")?.maxUs)} us`],
        ["ZSCORE calls / longest", `${fmt(cmd("ZSCORE")?.count)} / ${fmt(cmd("ZSCORE")?.maxUs)} us`],
        ["For contrast: one HGETALL of the same hash", `${fmt(u.slowlog.hgetallForContrast.maxUs)} us in one command`],
        [
          "Console RSS during the read (peak delta)",
          `+${fmt(u.memory.peakRssDeltaMiB)} MiB (from ${fmt(u.memory.before.rssMiB)} MiB)`,
        ],
        ["Console heap after GC (delta)", `+${fmt(u.memory.heapDeltaAfterGcMiB)} MiB`],
      ],
    ),
  ].join("\n");
}

export interface ResultsResult {
  results: number;
  failures: number;
  payloadBytes: number;
  keysRead: number;
  passes: number;
  stepsPerPass: number;
  wallMs: number;
  passMsMedian: number;
  passMsMax: number;
  secondWalk?: { wallMs: number; valuesRead: number };
  slowlog: { walk: SlowlogSummary; keysForContrast: SlowlogSummary };
}
interface SlowlogSummary {
  commands: number;
  maxUs: number;
  slowestCommand: string | null;
  byCommand: Record<string, { count: number; maxUs: number; totalUs: number }>;
}

function callLine(c: { count: number; maxUs: number; totalUs: number } | undefined): string {
  return c ? `${fmt(c.count)} / ${fmt(Math.round(c.totalUs / c.count))} us / ${fmt(c.maxUs)} us` : "none";
}

function resultBackend(r: ResultsResult): string {
  const cmd = (name: string) => r.slowlog.walk.byCommand[name];
  return [
    "## Result backend at 100,000 task results",
    "",
    table(
      ["", ""],
      [
        [
          "Results (captured Celery 5.2 metas, 1 in 20 a FAILURE)",
          `${fmt(r.results)} (${fmt(Math.round(r.payloadBytes / 1048576))} MiB of values); ${fmt(r.failures)} failures found`,
        ],
        [
          "A full walk",
          `**${fmt(r.passes)} passes** of ${r.stepsPerPass} SCANs, ${fmt(r.wallMs)} ms in all (pass median ${fmt(r.passMsMedian)} ms, max ${fmt(r.passMsMax)} ms)`,
        ],
        [
          "The next walk (SUCCESS keys remembered)",
          r.secondWalk ? `${fmt(r.secondWalk.wallMs)} ms, ${fmt(r.secondWalk.valuesRead)} values read` : "not measured",
        ],
        [
          "Longest single Redis command (SLOWLOG)",
          `**${fmt(r.slowlog.walk.maxUs)} us** (\`${r.slowlog.walk.slowestCommand ?? ""} ...\`)`,
        ],
        ["SCAN calls / mean / longest", callLine(cmd("SCAN"))],
        ["MGET calls / mean / longest", callLine(cmd("MGET"))],
        ["For contrast: one KEYS celery-task-meta-*", `${fmt(r.slowlog.keysForContrast.maxUs)} us in one command`],
      ],
    ),
  ].join("\n");
}

function messages(m: MessagesResult): string {
  const lrange = m.slowlog.search.byCommand.LRANGE;
  return [
    "## 3b. Message browser on a 1,000,000-message queue",
    "",
    table(
      ["", ""],
      [
        [
          "Messages (captured payloads, 250,000 per priority list)",
          `${fmt(m.messages)} (${fmt(Math.round(m.payloadBytes / 1048576))} MiB; Redis used_memory ${fmt(m.redisUsedMemoryMiB)} MiB)`,
        ],
        [
          "First page (50 rows), `readMessagePage`",
          `**median ${fmt(m.firstPageMs.median)} ms**, p95 ${fmt(m.firstPageMs.p95)} ms`,
        ],
        [
          `A page at offset ${fmt(m.deepOffset)} by cursor`,
          `median ${fmt(m.deepPageMs.median)} ms, p95 ${fmt(m.deepPageMs.p95)} ms`,
        ],
        [
          "Longest Redis command of those two pages (SLOWLOG)",
          `**${fmt(m.slowlog.browse.maxUs)} us** (\`${m.slowlog.browse.slowestCommand ?? ""}\`)`,
        ],
        ["Task-name search over 100,000 messages (the most one request scans)", `${fmt(m.search100kMs)} ms`],
        [
          "Its LRANGE calls (500 messages each): count / mean / longest",
          lrange
            ? `${fmt(lrange.count)} / ${fmt(Math.round(lrange.totalUs / lrange.count))} us / ${fmt(lrange.maxUs)} us`
            : "—",
        ],
        [
          `Move one message at offset ${fmt(m.takeNearTailOffset)}: wall / longest command`,
          `${fmt(m.takeNearTailMs)} ms / ${fmt(m.slowlog.takeNearTail.maxUs)} us`,
        ],
        [
          "Move one message from the middle of a 250,000-message list: wall / longest command",
          `${fmt(m.takeFromMiddleMs)} ms / ${fmt(m.slowlog.takeFromMiddle.maxUs)} us (the script walks the list to the message: Redis lists have no cheaper way to take one out of the middle)`,
        ],
      ],
    ),
  ].join("\n");
}

function history(h: HistoryResult): string {
  const r = h.rowsPerSeries;
  return [
    "## 4. History store (SQLite, 7 days)",
    "",
    `${h.series.containers} containers and ${fmt(h.series.queues)} queues after 7 days at the console's tiers: per series ${r.raw} raw rows (1 h at 5 s) + ${fmt(r.s60)} one-minute buckets (to 24 h) + ${r.s600} ten-minute buckets (to 7 days).`,
    "",
    table(
      ["", ""],
      [
        ["Rows", fmt(h.rows.total)],
        ["Database file", `**${fmt(h.dbMiB)} MiB** (${fmt(h.bytesPerRow)} bytes per row, indexes included)`],
        [
          `One sampling pass written (200 container rows + 1,000 queue rows; ${h.writerPasses} passes)`,
          `median ${fmt(h.writePassMs.median)} ms, p95 ${fmt(h.writePassMs.p95)} ms`,
        ],
        [
          "`compact()` as the 5-minute job runs it (containers / queues)",
          `${fmt(h.compactMs.containers)} ms / ${fmt(h.compactMs.queues)} ms`,
        ],
        [
          `One container's 7-day history (\`containerHistory\`, ${fmt(h.containerHistory7dPoints)} points)`,
          `median ${fmt(h.containerHistory7dMs.median)} ms, p95 ${fmt(h.containerHistory7dMs.p95)} ms`,
        ],
        ["One queue's 7-day history (`queueHistory`)", `median ${fmt(h.queueHistory7dMs.median)} ms`],
      ],
    ),
  ].join("\n");
}

function memory(m: MemoryResult): string {
  return [
    "## 5. Console memory (rough)",
    "",
    `A bare Node process holding the live snapshots of ${m.containers} containers (with a full hour of pids points each, ${m.ringPointsPerContainer}, for forecasts) and ${fmt(m.queues)} queues (${m.sparkPointsPerQueue}-point sparklines): RSS ${fmt(m.before.rssMiB)} -> **${fmt(m.after.rssMiB)} MiB** (+${fmt(m.rssDeltaMiB)}), heap +${fmt(m.heapDeltaMiB)} MiB. The snapshots serialize to ${fmt(Math.round(m.snapshotJsonBytes.containers / 1024))} KiB (containers) and ${fmt(Math.round(m.snapshotJsonBytes.queues / 1024))} KiB (queues) of JSON, which is what a new SSE client receives first. The Next.js server itself adds its own baseline on top.`,
  ].join("\n");
}

export function renderMarkdown(r: BenchResults, resultsFile: string): string {
  const res = r.results;
  const parts = [
    "# Benchmarks",
    `Generated by \`npm run bench\` on ${r.machine.date.slice(0, 10)} (${r.machine.cpuCount} CPUs); do not edit by hand. Raw numbers: \`${resultsFile}\` (not committed). What each figure means and how it is measured: [bench/README.md](bench/README.md). Figures are from one run on a shared machine: read the ratios, not the third digit.`,
    machine(r.machine, r),
    goalsTable(res),
  ];
  if (ok(res.containers)) parts.push(containers(res.containers as ContainersResult));
  if (ok(res.queues)) parts.push(queues(res.queues as QueuesResult));
  if (ok(res.workers)) parts.push(workersSection(res.workers));
  if (ok(res.unacked)) parts.push(unacked(res.unacked as UnackedResult));
  if (ok(res.results)) parts.push(resultBackend(res.results as ResultsResult));
  if (ok(res.messages)) parts.push(messages(res.messages as MessagesResult));
  if (ok(res.history)) parts.push(history(res.history as HistoryResult));
  if (ok(res.memory)) parts.push(memory(res.memory as MemoryResult));
  return `${parts.join("\n\n")}\n`;
}
