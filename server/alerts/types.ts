// Alert shapes shared by the server and the browser (no server-only here: pure types and defaults).

export type RuleId =
  | "container-share"
  | "container-eta"
  | "container-refused"
  | "queue-depth"
  | "queue-no-consumer"
  | "queue-orphaned"
  | "queue-paused"
  | "worker-gone"
  | "source-down"
  | "task-failures"
  | "task-new-exception";

export type Severity = "warning" | "critical";
export type AlertState = "pending" | "firing" | "acknowledged" | "silenced" | "resolved";

export interface AlertRule {
  id: RuleId;
  enabled: boolean;
  /** The condition must hold this long before the alert fires (0 = at once). */
  forSeconds: number;
  severity: Severity;
  /** Rule-specific thresholds; null = use the target's own (e.g. a queue's configured threshold). */
  params: Record<string, number | null>;
  updatedAt: number | null;
  updatedBy: string | null;
}

export type AlertTarget =
  | { kind: "container"; host: string; id: string; name: string }
  | { kind: "queue"; broker: string; queue: string }
  | { kind: "worker"; broker: string; hostname: string; queues: string[] }
  | { kind: "source"; sourceKind: string; name: string }
  /** A task name (null: the backend did not record it) and, for a new exception type, that type. */
  | { kind: "task"; broker: string; task: string | null; exc: string | null };

export interface AlertRecord {
  id: string;
  fingerprint: string;
  rule: RuleId;
  severity: Severity;
  target: AlertTarget;
  targetLabel: string;
  summary: string;
  value: number | null;
  state: AlertState;
  pendingSince: number;
  firedAt: number | null;
  ackedBy: string | null;
  ackedAt: number | null;
  silencedUntil: number | null;
  silencedBy: string | null;
  silenceComment: string | null;
  resolvedAt: number | null;
  /** When a firing notification was queued: resolve messages go only where a firing one went. */
  notifiedAt: number | null;
  updatedAt: number;
}

export interface RuleMeta {
  title: string;
  describe: string;
  params: Record<string, { label: string; unit: string; min: number; max: number; nullable?: boolean }>;
}

export const RULE_META: Record<RuleId, RuleMeta> = {
  "container-share": {
    title: "Share of the effective limit",
    describe: "pids.current / effective limit at or above the share.",
    params: { share: { label: "Share (0-1)", unit: "", min: 0.05, max: 1 } },
  },
  "container-eta": {
    title: "Time to the limit",
    describe: "At the current growth the effective limit is reached sooner than this.",
    params: { etaSeconds: { label: "ETA below", unit: "s", min: 10, max: 7 * 86400 } },
  },
  "container-refused": {
    title: "Forks refused",
    describe:
      "pids.events counted a refused fork; resolves once no new refusal was seen for the quiet period (or the container restarts).",
    params: { quietSeconds: { label: "Quiet period", unit: "s", min: 30, max: 86400 } },
  },
  "queue-depth": {
    title: "Queue depth over threshold",
    describe: "Depth above the threshold (empty = the queue's configured threshold).",
    params: { depth: { label: "Depth", unit: "messages", min: 1, max: 100_000_000, nullable: true } },
  },
  "queue-no-consumer": {
    title: "Queue without consumer",
    describe: "Messages waiting and no worker consumes the queue.",
    params: { minDepth: { label: "Min depth", unit: "messages", min: 1, max: 100_000_000 } },
  },
  "queue-orphaned": {
    title: "Orphaned messages",
    describe: "Unacked messages whose worker is gone.",
    params: { minOrphaned: { label: "Min orphaned", unit: "messages", min: 1, max: 100_000_000 } },
  },
  "queue-paused": {
    title: "Queue paused too long",
    describe:
      "A queue paused from the console (queue.pause) has stayed paused longer than this; a paused queue does not raise the no-consumer alert.",
    params: { pausedSeconds: { label: "Paused longer than", unit: "s", min: 60, max: 30 * 86400 } },
  },
  "worker-gone": { title: "Worker gone", describe: "A worker seen before stopped answering.", params: {} },
  "source-down": {
    title: "Source down",
    describe: "A Docker endpoint, broker or the console's store does not answer.",
    params: {},
  },
  "task-failures": {
    title: "Task failures over a window",
    describe:
      "A task failed at least this many times within the window (from the result backend; Celery's date_done). Resolves when the window holds fewer.",
    params: {
      minFailures: { label: "Failures", unit: "tasks", min: 1, max: 1_000_000 },
      windowSeconds: { label: "Window", unit: "s", min: 60, max: 7 * 86400 },
    },
  },
  "task-new-exception": {
    title: "New exception type",
    describe:
      "An exception type the result backend never recorded on this broker before appeared within the window (the console must have watched the broker for a window first). Resolves after the window.",
    params: { windowSeconds: { label: "Window", unit: "s", min: 60, max: 7 * 86400 } },
  },
};

export const DEFAULT_RULES: Record<RuleId, Omit<AlertRule, "updatedAt" | "updatedBy">> = {
  "container-share": {
    id: "container-share",
    enabled: true,
    forSeconds: 30,
    severity: "critical",
    params: { share: 0.8 },
  },
  "container-eta": {
    id: "container-eta",
    enabled: true,
    forSeconds: 60,
    severity: "warning",
    params: { etaSeconds: 1800 },
  },
  "container-refused": {
    id: "container-refused",
    enabled: true,
    forSeconds: 0,
    severity: "critical",
    params: { quietSeconds: 600 },
  },
  "queue-depth": { id: "queue-depth", enabled: true, forSeconds: 120, severity: "warning", params: { depth: null } },
  "queue-no-consumer": {
    id: "queue-no-consumer",
    enabled: true,
    forSeconds: 60,
    severity: "critical",
    params: { minDepth: 1 },
  },
  "queue-orphaned": {
    id: "queue-orphaned",
    enabled: true,
    forSeconds: 60,
    severity: "warning",
    params: { minOrphaned: 1 },
  },
  "queue-paused": {
    id: "queue-paused",
    enabled: true,
    forSeconds: 0,
    severity: "warning",
    params: { pausedSeconds: 3600 },
  },
  "worker-gone": { id: "worker-gone", enabled: true, forSeconds: 60, severity: "warning", params: {} },
  "source-down": { id: "source-down", enabled: true, forSeconds: 60, severity: "critical", params: {} },
  "task-failures": {
    id: "task-failures",
    enabled: true,
    forSeconds: 0,
    severity: "warning",
    params: { minFailures: 10, windowSeconds: 600 },
  },
  "task-new-exception": {
    id: "task-new-exception",
    enabled: true,
    forSeconds: 0,
    severity: "warning",
    params: { windowSeconds: 3600 },
  },
};

export const RULE_IDS = Object.keys(DEFAULT_RULES) as RuleId[];

export interface DeliveryItem {
  alertId: string;
  kind: "firing" | "resolved";
  rule: RuleId;
  severity: Severity;
  targetLabel: string;
  summary: string;
  at: number;
  runbookPath: string | null;
}

export interface DeliveryRecord {
  id: string;
  groupKey: string;
  url: string;
  format: "json" | "slack";
  items: DeliveryItem[];
  status: "queued" | "retrying" | "sent" | "failed";
  attempts: number;
  notBefore: number;
  createdAt: number;
  sentAt: number | null;
  lastError: string | null;
  responseStatus: number | null;
}

/** The alerts of one target, worst first (the page shows groups; `alerts` keeps the flat list). */
export interface AlertGroup {
  key: string;
  target: AlertTarget;
  targetLabel: string;
  /** Of the group's worst alert. */
  severity: Severity;
  state: AlertState;
  firing: number;
  latestAt: number;
  alerts: AlertRecord[];
}

export interface AlertsResponse {
  alerts: AlertRecord[];
  groups: AlertGroup[];
  rules: AlertRule[];
  deliveries: DeliveryRecord[];
  webhooks: { url: string; format: string }[];
}

/** Which runbook handles an alert's target (null: none, e.g. a source that is down). */
export function runbookFor(
  t: AlertTarget,
): { kind: "thread-leak" | "queue-backlog"; target: Record<string, string> } | null {
  if (t.kind === "container") return { kind: "thread-leak", target: { host: t.host, id: t.id } };
  if (t.kind === "queue") return { kind: "queue-backlog", target: { broker: t.broker, queue: t.queue } };
  if (t.kind === "worker" && t.queues[0])
    return { kind: "queue-backlog", target: { broker: t.broker, queue: t.queues[0] } };
  return null;
}
