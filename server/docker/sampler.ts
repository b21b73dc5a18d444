import "server-only";
import { containerList } from "./container-list";
import type { AppConfig, DockerHostConfig } from "@/server/config";
import { getConfig } from "@/server/config";
import { errorMessage } from "@/server/errors";
import type { CgroupDetail, ContainerSummary, PidsInfo } from "@/server/schemas/containers";
import { readContainerCgroup, type CgroupReading } from "./cgroup";
import { pidsHierarchies, type CgroupLocation } from "./cgroup-fs";
import { classify, thresholdsFor } from "./classify";
import { dockerFor, type DockerEndpoint } from "./endpoints";
import type { ContainerListItem, InspectInfo } from "./engine-types";
import { etaSeconds, forecast, FORECAST_MIN_SPAN_MS, memoForecast, type Forecast } from "./forecast";
import { addPoint, forgetStale, noteReset, sparkline } from "./history-ring";
import { apiLimitSource, newForkFailures, stuckAt } from "./api-signals";
import { mapLimit } from "./map-limit";
import { processState } from "@/server/process-state";
import { sweepKeptFiles } from "./kept-files";

// One sampling pass over one Docker host. Reads pids from the cgroup files when this process can see them (a local
// socket and a readable cgroup root), else from one-shot stats. Containers that stop mid-pass are skipped quietly.

export type SamplerConfig = Pick<AppConfig, "cgroupRoot" | "procRoot" | "thresholds" | "containerThresholds">;

export interface HostSample {
  ok: boolean;
  error?: string;
  containers: ContainerSummary[];
  details: Map<string, CgroupDetail>;
  /** Per-container problems that did not stop the pass (bounded). */
  errors: string[];
  via: "cgroupfs" | "docker-api" | null;
}

// cgroupfs reads are synchronous and cheap; the bound matters for the Docker API path. dockerd answers one-shot
// stats on its 1 s collector tick, so requests in flight together finish together: 8 at a time cost ~containers/8
// seconds per pass (27 s at 200); 128 keeps open sockets bounded and a 200-container pass at two ticks, while
// dockerd's CPU per pass stays below what `docker stats` costs it (BENCHMARKS.md).
const CONCURRENCY = 128;
const INSPECT_TTL_MS = 30_000;

interface Cached {
  inspect: InspectInfo;
  atMs: number;
  location: CgroupLocation | null;
  /** Docker API path only: fork failures counted in the log so far, and the newest log timestamp read. */
  logFailures: number;
  logLastTs: string | null;
}
const cache = () => processState("docker/inspect-cache", () => new Map<string, Cached>());

/** cgroupfs only for a local engine (its socket, or a socket proxy declared local) whose cgroup tree this process can read. */
export async function canReadCgroupfs(host: DockerHostConfig, cfg: SamplerConfig): Promise<boolean> {
  return (host.url.startsWith("unix://") || host.local === true) && (await pidsHierarchies(cfg.cgroupRoot)).length > 0;
}

async function inspectCached(
  client: DockerEndpoint,
  host: string,
  c: ContainerListItem,
  nowMs: number,
  force: boolean,
): Promise<Cached> {
  const k = `${host}\n${c.id}`;
  const hit = cache().get(k);
  if (hit && !force && nowMs - hit.atMs < INSPECT_TTL_MS) return hit;
  const inspect = await client.inspectContainer(c.id);
  // A new main PID or start time means a restart we may have missed as an event: restart the forecast window.
  if (hit && (hit.inspect.pid !== inspect.pid || hit.inspect.startedAt !== inspect.startedAt))
    noteReset(host, c.id, nowMs);
  const same = hit && hit.inspect.pid === inspect.pid;
  const next: Cached = {
    inspect,
    atMs: nowMs,
    location: same ? hit.location : null,
    logFailures: hit?.logFailures ?? 0,
    logLastTs: hit?.logLastTs ?? null,
  };
  cache().set(k, next);
  return next;
}

async function viaCgroupfs(
  client: DockerEndpoint,
  host: string,
  c: ContainerListItem,
  cfg: SamplerConfig,
  nowMs: number,
): Promise<CgroupReading> {
  let cached = await inspectCached(client, host, c, nowMs, false);
  let r = await readContainerCgroup(cfg, {
    id: c.id,
    hostPid: cached.inspect.pid,
    dockerPidsLimit: cached.inspect.pidsLimit,
    location: cached.location,
  });
  if (!r.ok) {
    // Stale location or PID (restart): look again once with a fresh inspect.
    cached = await inspectCached(client, host, c, nowMs, true);
    r = await readContainerCgroup(cfg, {
      id: c.id,
      hostPid: cached.inspect.pid,
      dockerPidsLimit: cached.inspect.pidsLimit,
    });
  }
  if (!r.ok) throw new Error(r.error);
  cached.location = r.reading.location;
  return r.reading;
}

// Lines read per pass for fork failures: the first pass reads the recent past, later ones only what is new.
const API_LOG_TAIL = 500;

async function viaStats(client: DockerEndpoint, host: string, c: ContainerListItem, nowMs: number): Promise<Reading> {
  const cached = await inspectCached(client, host, c, nowMs, false);
  const s = await client.containerStats(c.id);
  // pids_stats.limit is the container cgroup's own pids.max (with the systemd driver, its scope's TasksMax).
  const limitSource = apiLimitSource(s.limit, cached.inspect.pidsLimit);
  const sinceSeconds = cached.logLastTs === null ? undefined : Math.floor(Date.parse(cached.logLastTs) / 1000);
  const lines = await client.containerLogs(c.id, API_LOG_TAIL, sinceSeconds);
  const fresh = newForkFailures(lines, cached.logLastTs);
  cached.logFailures += fresh.count;
  cached.logLastTs = fresh.lastTs;
  const headroom = s.limit !== null && s.current !== null ? s.limit - s.current : null;
  return {
    pids: {
      current: s.current,
      limit: s.limit,
      effectiveLimit: s.limit,
      limitSource,
      limitPath: null,
      peak: null,
      refusedTotal: cached.logFailures,
    },
    headroom,
    share: s.limit !== null && s.current !== null ? s.current / s.limit : null,
    hiddenCap: limitSource === "systemd-default",
    refusedFrom: "logs",
  };
}

type Reading = {
  pids: PidsInfo;
  headroom: number | null;
  share: number | null;
  detail?: CgroupDetail;
  hiddenCap?: boolean;
  refusedFrom?: "pids.events" | "logs";
};

export async function sampleHost(host: DockerHostConfig, cfg: SamplerConfig = getConfig()): Promise<HostSample> {
  const client = dockerFor(host);
  let list: ContainerListItem[];
  try {
    list = await containerList(host.name, () => client.listContainers());
  } catch (e) {
    return { ok: false, error: errorMessage(e), containers: [], details: new Map(), errors: [], via: null };
  }
  const useCgroupfs = await canReadCgroupfs(host, cfg);
  if (useCgroupfs) sweepKeptFiles();
  const errors: string[] = [];
  const details = new Map<string, CgroupDetail>();
  const running = list.filter((c) => c.state === "running");
  const results = await mapLimit(running, CONCURRENCY, async (c): Promise<ContainerSummary | null> => {
    const nowMs = Date.now();
    try {
      let reading: Reading;
      if (useCgroupfs) reading = await viaCgroupfs(client, host.name, c, cfg, nowMs);
      else reading = await viaStats(client, host.name, c, nowMs);
      if (reading.detail) details.set(c.id, reading.detail);
      return summarize(host.name, c, reading, useCgroupfs ? "cgroupfs" : "docker-api", cfg, nowMs);
    } catch (e) {
      // Gone between list and read (stopped, removed): not an error worth showing; anything else is kept, bounded.
      const gone = (e as { code?: string }).code === "not_found" || /vanished|no pids cgroup/.test(errorMessage(e));
      if (!gone && errors.length < 20) errors.push(`${c.name}: ${errorMessage(e)}`);
      return null;
    }
  });
  forgetStale(Date.now());
  const alive = new Set(running.map((c) => `${host.name}\n${c.id}`));
  for (const k of cache().keys()) if (k.startsWith(`${host.name}\n`) && !alive.has(k)) cache().delete(k);
  return {
    ok: true,
    containers: results.filter((r): r is ContainerSummary => r !== null),
    details,
    errors,
    via: useCgroupfs ? "cgroupfs" : "docker-api",
  };
}

function summarize(
  host: string,
  c: ContainerListItem,
  reading: Reading,
  via: ContainerSummary["via"],
  cfg: SamplerConfig,
  nowMs: number,
): ContainerSummary {
  const { pids } = reading;
  const entry = pids.current !== null ? addPoint(host, c.id, nowMs, pids.current) : undefined;
  const previousRefused = entry?.lastRefusedTotal ?? null;
  const refusingNow = pids.refusedTotal !== null && previousRefused !== null && pids.refusedTotal > previousRefused;
  if (entry) {
    // First sight of a non-zero counter: when it rose is unknown, so it counts as recent from now.
    if (refusingNow || (previousRefused === null && (pids.refusedTotal ?? 0) > 0)) entry.lastRefusalAt = nowMs;
    entry.lastRefusedTotal = pids.refusedTotal;
  }
  let f: Forecast;
  if (entry) {
    const m = memoForecast(entry.points, entry.resets, nowMs, entry.forecastMemo);
    entry.forecastMemo = m.memo;
    f = m.forecast;
  } else f = forecast([], []);
  const eta = etaSeconds(f, reading.headroom);
  const { status, reasons } = classify(
    {
      current: pids.current,
      effectiveLimit: pids.effectiveLimit,
      limitSource: pids.limitSource,
      limitPath: pids.limitPath,
      share: reading.share,
      etaSeconds: eta,
      refusingNow,
      refusedTotal: pids.refusedTotal,
      hiddenCap: reading.detail?.hiddenCap ?? reading.hiddenCap ?? false,
      refusedFrom: reading.refusedFrom ?? "pids.events",
      stuckAt: via === "docker-api" ? stuckAt(entry?.points ?? []) : null,
    },
    thresholdsFor(c, cfg.thresholds, cfg.containerThresholds),
  );
  return {
    host,
    id: c.id,
    name: c.name,
    image: c.image,
    state: c.state,
    labels: c.labels,
    via,
    pids,
    growthPerMinute: f.growthPerMinute === null ? null : Math.round(f.growthPerMinute * 100) / 100,
    etaSeconds: eta === null ? null : Math.round(eta),
    // A forecast without enough history is "learning", not "no growth": say how long it still needs.
    learningSeconds:
      f.trend === "insufficient"
        ? Math.max(
            1,
            Math.ceil((FORECAST_MIN_SPAN_MS - (f.windowStartMs === null ? 0 : nowMs - f.windowStartMs)) / 1000),
          )
        : null,
    status,
    reasons,
    refusingNow,
    lastRefusalAt: entry?.lastRefusalAt ?? null,
    sampledAt: nowMs,
    spark: sparkline(entry?.points ?? []),
  };
}
