// Runbook shapes shared by the server and the browser (no server-only here: pure types).
import type { CgroupDetail, PidsInfo, ThreadDiagnosis } from "@/server/schemas/containers";
import type { BacklogGroup } from "@/server/schemas/api";
import type { QueueSummary, WorkerSummary } from "@/server/schemas/queues";

export type RunbookKind = "thread-leak" | "queue-backlog";
export type StepId = "detect" | "diagnose" | "mitigate" | "verify" | "record";
export const STEPS: StepId[] = ["detect", "diagnose", "mitigate", "verify", "record"];

export type RunbookTarget = { host: string; id: string } | { broker: string; queue: string };

export interface RunbookRun {
  id: string;
  kind: RunbookKind;
  target: RunbookTarget;
  targetLabel: string;
  status: "open" | "closed";
  alertId: string | null;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
  /** Verify criterion: watch this many minutes after the last action... */
  verifyMinutes: number;
  /** ...and (thread leak) stay under this share of the effective limit, in percent. */
  verifyShare: number;
  verifyState: VerifyState | null;
}

export type EntryKind = "created" | "step" | "note" | "action" | "verify" | "settings" | "closed";

export interface RunbookEntry {
  id: string;
  ts: number;
  actor: string;
  kind: EntryKind;
  step: StepId | null;
  detail: Record<string, unknown>;
}

export interface StepProgress {
  step: StepId;
  done: boolean;
  by: string | null;
  at: number | null;
  note: string | null;
}

export interface ActionRecord {
  auditId: string;
  action: string;
  /** The change in words ("raise to 2,000 for 15m", "revert to 1,200 (time box)"), for container changes. */
  label: string | null;
  status: string;
  result: string | null;
  finding: string | null;
  by: string;
  at: number;
}

export type VerifyState = "no-action" | "waiting" | "pass" | "fail";

export interface VerifyStatus {
  state: VerifyState;
  criterion: string;
  detail: string;
  lastActionAt: number | null;
  windowStart: number | null;
}

export interface RunbookResponse {
  run: RunbookRun;
  entries: RunbookEntry[];
  steps: StepProgress[];
  actions: ActionRecord[];
  verify: VerifyStatus;
}

/** GET /api/runbooks. */
export interface RunbookListResponse {
  runs: RunbookRun[];
}

/** POST /api/runbooks: the new run, or the open run for the same target (joined). */
export interface StartRunbookResponse {
  run: RunbookRun;
  joined: boolean;
}

export interface HostCommand {
  title: string;
  command: string;
  note: string;
}

export interface LimitAdvice {
  inherited: boolean;
  limitPath: string | null;
  explanation: string[];
  commands: HostCommand[];
}

export interface MappedQueue {
  broker: string;
  queue: string;
  via: string;
}

export interface ThreadLeakContext {
  kind: "thread-leak";
  cgroup: CgroupDetail | null;
  pids: PidsInfo | null;
  advice: LimitAdvice | null;
  queues: MappedQueue[];
  workers: WorkerSummary[];
  /** Whether cgroup.set-pids-max may write here (the operator's opt-in and a writable cgroup mount), and why not. */
  cgroupWrite: { available: boolean; reason: string | null };
}

export interface QueueBacklogContext {
  kind: "queue-backlog";
  queue: QueueSummary | null;
  consumers: WorkerSummary[];
  /** Workers that consumed the queue and stopped answering. */
  goneWorkers: WorkerSummary[];
  /** Live workers of this broker that could take the queue on. */
  liveWorkers: WorkerSummary[];
  composition: { sampled: number; groups: BacklogGroup[] } | null;
}

export type RunbookContext = ThreadLeakContext | QueueBacklogContext;

/** What the Diagnose step captured when it was marked done (kept for the report). */
export interface DiagnosisCapture {
  context: RunbookContext;
  threads?: Pick<
    ThreadDiagnosis,
    "processes" | "groups" | "names" | "logSignatures" | "totalThreads" | "source"
  > | null;
}
