import "server-only";

// Typed records for the Engine API payloads the console reads, parsed at the edge so nothing downstream touches
// dockerode's loose objects. Field names follow API 1.41 (Docker 20.10) and are tolerant of older/newer engines.

export interface ContainerListItem {
  id: string;
  name: string;
  image: string;
  state: string;
  labels: Record<string, string>;
  createdSeconds: number;
}

export interface InspectInfo {
  id: string;
  name: string;
  image: string;
  running: boolean;
  state: string;
  /** Host PID of the container's main process; 0 when not running. */
  pid: number;
  restartCount: number;
  startedAt: string | null;
  /** Docker's PidsLimit; null when unset, 0 or -1 (all mean unlimited). */
  pidsLimit: number | null;
  tty: boolean;
  labels: Record<string, string>;
  cgroupParent: string | null;
}

export interface StatsPids {
  current: number | null;
  limit: number | null;
  readAt: string | null;
}
export interface TopResult {
  titles: string[];
  processes: string[][];
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === "object" && v !== null ? (v as Obj) : {});
const str = (v: unknown): string => (typeof v === "string" ? v : "");
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

function labels(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(obj(v))) if (typeof val === "string") out[k] = val;
  return out;
}

export function parseListItem(raw: unknown): ContainerListItem {
  const r = obj(raw);
  const names = Array.isArray(r.Names) ? r.Names.filter((n): n is string => typeof n === "string") : [];
  return {
    id: str(r.Id),
    name: (names[0] ?? "").replace(/^\//, "") || str(r.Id).slice(0, 12),
    image: str(r.Image),
    state: str(r.State),
    labels: labels(r.Labels),
    createdSeconds: num(r.Created) ?? 0,
  };
}

/** Docker's convention: null, 0 and -1 all mean "no limit". */
function normalizePidsLimit(v: unknown): number | null {
  const n = num(v);
  return n !== null && n > 0 ? n : null;
}

export function parseInspect(raw: unknown): InspectInfo {
  const r = obj(raw);
  const state = obj(r.State);
  const host = obj(r.HostConfig);
  const config = obj(r.Config);
  return {
    id: str(r.Id),
    name: str(r.Name).replace(/^\//, ""),
    image: str(config.Image) || str(r.Image),
    running: state.Running === true,
    state: str(state.Status),
    pid: num(state.Pid) ?? 0,
    restartCount: num(r.RestartCount) ?? 0,
    startedAt: str(state.StartedAt) || null,
    pidsLimit: normalizePidsLimit(host.PidsLimit),
    tty: config.Tty === true,
    labels: labels(config.Labels),
    cgroupParent: str(host.CgroupParent) || null,
  };
}

/** pids_stats from a one-shot stats payload. `limit` is absent (or a huge sentinel) when unlimited. */
export function parseStatsPids(raw: unknown): StatsPids {
  const r = obj(raw);
  const p = obj(r.pids_stats);
  const limit = num(p.limit);
  return {
    current: num(p.current),
    // Docker reports "max" as 0/absent, or on some versions as 2^64-1; neither is a real limit.
    limit: limit !== null && limit > 0 && limit < Number.MAX_SAFE_INTEGER ? limit : null,
    readAt: str(r.read) || null,
  };
}

export function parseTop(raw: unknown): TopResult {
  const r = obj(raw);
  const titles = Array.isArray(r.Titles) ? r.Titles.map((t) => String(t)) : [];
  const processes = Array.isArray(r.Processes)
    ? r.Processes.filter(Array.isArray).map((row: unknown[]) => row.map((c) => String(c)))
    : [];
  return { titles, processes };
}
