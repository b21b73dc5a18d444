// Container shapes shared by server and browser (no server-only here). The API's JSON is these types.

export type Status = "ok" | "warn" | "critical" | "unknown";

/** Where the effective limit comes from. */
export type LimitSource =
  | "container" // the container's own pids.max (Docker's PidsLimit)
  | "systemd-default" // a systemd scope/slice whose TasksMax is systemd's DefaultTasksMax
  | "ancestor" // a parent cgroup or slice set by someone
  | "kernel" // kernel.threads-max / pid_max is the tightest
  | "none" // nothing caps it
  | "not-visible"; // read over the Docker API only: the container's own pids.max is unset and nothing above it is visible from here

/** What would make a "not-visible" limit visible: one sentence, shown with it on pages. */
export const NOT_VISIBLE_HELP =
  "Read over the Docker API only, which shows the container's own pids.max and nothing above it: parent cgroups, systemd slices and the kernel limits are not visible from here. Run the console (or a collector) on that host with its /sys/fs/cgroup and /proc mounted to see them.";

export interface CgroupLevel {
  /** cgroup path relative to the hierarchy root, e.g. "/docker/<id>" or "/system.slice/docker-<id>.scope". */
  path: string;
  /** null = "max" (unlimited). */
  max: number | null;
  current: number | null;
  /** Headroom = max - current at this level; null when unlimited. */
  headroom: number | null;
}

export interface PidsInfo {
  current: number | null;
  /** The container's own limit; null when unlimited. */
  limit: number | null;
  /** The limit with least headroom over the container and its ancestors; null when nothing caps it. */
  effectiveLimit: number | null;
  limitSource: LimitSource;
  /** cgroup path of the level that sets the effective limit. */
  limitPath: string | null;
  peak: number | null;
  /** pids.events "max" counter: forks refused so far. */
  refusedTotal: number | null;
}

export interface ContainerSummary {
  host: string;
  id: string;
  name: string;
  image: string;
  state: string;
  labels: Record<string, string>;
  /** "cgroupfs" when read from files, "docker-api" when from stats one-shot. */
  via: "cgroupfs" | "docker-api";
  pids: PidsInfo;
  /** Robust growth rate of pids.current over the recent window. */
  growthPerMinute: number | null;
  /** Seconds until the effective limit at the current growth; null when not growing or unlimited. */
  etaSeconds: number | null;
  /** Seconds of history the forecast still needs (null: it has enough); growth and ETA mean nothing until then. */
  learningSeconds: number | null;
  status: Status;
  /** Human reasons for the status, newest concern first. */
  reasons: string[];
  /** True when forks were refused since the previous sample. */
  refusingNow: boolean;
  /** When the console last saw the refused-forks counter rise (or first saw it above 0); null = never. */
  lastRefusalAt: number | null;
  sampledAt: number;
  /** Small trail for sparklines: [tsMs, current][]. */
  spark: [number, number][];
}

export interface CgroupDetail {
  levels: CgroupLevel[];
  kernel: { threadsMax: number | null; pidMax: number | null; systemdDefaultTasksMax: number | null };
  /** True when Docker reports no limit but an ancestor (or the kernel) caps the container. */
  hiddenCap: boolean;
  explanation: string;
  /** systemd unit of the container's scope, when the systemd driver is used. */
  systemdUnit: string | null;
}

export interface ThreadProcess {
  pid: number;
  command: string;
  threads: number;
}
export interface ThreadGroup {
  state: string;
  wchan: string;
  syscall?: string | null;
  count: number;
}
export interface LogSignature {
  signature: string;
  count: number;
  firstSeen: string | null;
  lastSeen: string | null;
  sample: string;
}

export interface ThreadDiagnosis {
  source: "procfs" | "docker-top";
  processes: ThreadProcess[];
  groups: ThreadGroup[];
  /** Dominant thread names (comm) with counts. */
  names: { comm: string; count: number }[];
  zombies: number;
  totalThreads: number;
  logSignatures: LogSignature[];
  errors: string[];
  takenAt: number;
}

export interface ContainerEvent {
  ts: number;
  action: string;
  attributes: Record<string, string>;
}

/**
 * An audited change to a container (pids limit raised or reverted, cgroup cap, restart, stop, signal): what the pids
 * chart names its markers after, instead of Docker's bare "update".
 */
export interface ContainerChange {
  auditId: string;
  /** When the action was asked for (the intent), and when its outcome was written (null: no outcome yet). */
  ts: number;
  endTs: number | null;
  action: string;
  actor: string;
  params: unknown;
  /** The outcome's before value (set-pids-limit: the old limit, null = unlimited). */
  before: unknown;
  outcome: string;
}
