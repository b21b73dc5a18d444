// Response bodies of the read API, shared by route handlers and the browser hooks.
import type { CgroupDetail, ContainerChange, ContainerEvent, ContainerSummary, ThreadDiagnosis } from "./containers";
import type { BrokerSummary, QueuePause, QueueSummary, WorkerSummary } from "./queues";

export interface HostState {
  name: string;
  ok: boolean;
  error: string | null;
  via: "cgroupfs" | "docker-api" | null;
  sampledAt: number | null;
}

export interface ContainersResponse {
  containers: ContainerSummary[];
  hosts: HostState[];
}

export interface PidsPoint {
  ts: number;
  current: number | null;
  limit: number | null;
  effectiveLimit: number | null;
  res: number;
}

export interface ContainerDetailResponse {
  container: ContainerSummary;
  cgroup: CgroupDetail | null;
  history: PidsPoint[];
  events: ContainerEvent[];
  /** Audited changes in the range (newest first), to name the chart's markers. */
  changes: ContainerChange[];
  /** A time-boxed raise waiting to revert (or held), for the banner with its countdown. */
  pendingRevert: {
    dueAt: number;
    revertTo: number | null;
    actor: string;
    auditId: string;
    heldBecause: string | null;
  } | null;
}

export type ThreadsResponse = ThreadDiagnosis;

export interface QueuesResponse {
  brokers: BrokerSummary[];
}

export interface QueuePoint {
  ts: number;
  depth: number;
  unacked: number;
  orphaned: number;
  rateIn: number | null;
  rateOut: number | null;
  res: number;
}

export interface BacklogGroup {
  task: string;
  count: number;
}
export interface NextMessage {
  task: string | null;
  id: string | null;
  retries: number | null;
  eta: string | null;
  priority: number | null;
  redelivered?: boolean;
  args?: unknown;
}

export interface QueueDetailResponse {
  broker: string;
  queue: QueueSummary;
  history: QueuePoint[];
  /** Read from the broker when the page asked (sampledAt), so it can be newer than the queue's summary. */
  composition: {
    sampled: number;
    groups: BacklogGroup[];
    next: NextMessage | null;
    errors: number;
    sampledAt: number;
  } | null;
  consumers: WorkerSummary[];
  /** This queue's quarantines (purges), newest first; only those still holding messages can be restored. */
  quarantines: {
    quarantine: string;
    count: number;
    depth: number;
    created: string;
    expiresAt: string;
    expired: boolean;
    state: string;
  }[];
}

export interface WorkersResponse {
  workers: WorkerSummary[];
  /** Queues paused from the console (the workers page names them beside the workers that consumed them). */
  paused?: QueuePause[];
}

/** One worker: its summary, its last heartbeat (workers started with -E), and the queues it consumes now. */
export interface WorkerDetailResponse {
  worker: WorkerSummary;
  heartbeat: {
    lastSeenMs: number;
    freqSeconds: number;
    offline: boolean;
    active: number | null;
    processed: number | null;
  } | null;
  queues: { name: string; depth: number | null; status: QueueSummary["status"] | null }[];
}
