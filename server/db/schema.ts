// One schema for SQLite and PostgreSQL. Times are epoch milliseconds (bigint in PG, parsed to number).
import type { Generated } from "kysely";

export interface UsersTable {
  id: string;
  username: string;
  password_hash: string;
  role: string;
  created_at: number;
  disabled: number;
}
export interface SessionsTable {
  id: string; // sha256 of the cookie token
  user_id: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
  ip: string | null;
}
export interface ApiTokensTable {
  id: string;
  name: string;
  token_hash: string;
  role: string;
  created_by: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  expires_at: number | null;
  /** The creating user's id; "proxy:<name>" for a proxy-authenticated admin; null on tokens made before 0005. */
  created_by_id: string | null;
}
export interface SetupTokensTable {
  token_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}
/** Failed sign-ins per key ("acct:<user>|<address>", "addr:<address>", "setup:<address>"). */
export interface LoginThrottleTable {
  key: string;
  failures: number;
  not_before: number;
  updated_at: number;
}
export interface SettingsTable {
  key: string;
  value: string;
  updated_at: number;
  updated_by: string | null;
}
/** One history series: a container (scope = Docker host, key = container id) or a queue (scope = broker). */
export interface SeriesTable {
  id: Generated<number>;
  kind: "container" | "queue" | "task";
  scope: string;
  key: string;
  /** The container's latest name; the queue name for queues. */
  name: string;
}
export interface ContainerPointsTable {
  series_id: number;
  res: number; // 0 = raw, else bucket seconds
  ts: number;
  pids_current: number | null;
  pids_limit: number | null;
  effective_limit: number | null;
  refused_total: number | null;
}
export interface ContainerEventsTable {
  host: string;
  container_id: string;
  ts: number;
  action: string;
  attributes: string;
}
export interface QueuePointsTable {
  series_id: number;
  res: number;
  ts: number;
  depth: number;
  unacked: number;
  orphaned: number;
  rate_in: number | null;
  rate_out: number | null;
}
/** Task timings from Celery events per task name (series kind "task"); histograms are JSON index -> count. */
export interface TaskPointsTable {
  series_id: number;
  res: number;
  ts: number;
  sent: number;
  received: number;
  started: number;
  succeeded: number;
  failed: number;
  retried: number;
  runtime_hist: string;
  wait_hist: string;
}
/** The queues a task name was seen on (task-sent names the queue). */
export interface TaskQueuesTable {
  broker: string;
  task: string;
  queue: string;
  last_seen: number;
}
export interface WorkersSeenTable {
  broker: string;
  hostname: string;
  first_seen: number;
  last_seen: number;
  info: string;
}
export interface LeasesTable {
  name: string;
  holder: string;
  expires_at: number;
}
export interface AuditHeadsTable {
  instance: string;
  seq: number;
  hash: string;
}

export interface TimeboxesTable {
  id: string;
  action: string;
  target: string;
  target_label: string;
  revert_params: string;
  audit_id: string;
  actor: string;
  created_at: number;
  due_at: number;
  state: string;
  settled_at: number | null;
  settle_note: string | null;
}

export interface AlertRulesTable {
  id: string;
  enabled: number;
  for_seconds: number;
  severity: string;
  params: string;
  updated_at: number;
  updated_by: string;
}
export interface AlertsTable {
  id: string;
  fingerprint: string;
  rule: string;
  severity: string;
  target: string;
  target_label: string;
  summary: string;
  value: number | null;
  state: string;
  pending_since: number;
  fired_at: number | null;
  acked_by: string | null;
  acked_at: number | null;
  silenced_until: number | null;
  silenced_by: string | null;
  silence_comment: string | null;
  resolved_at: number | null;
  notified_at: number | null;
  updated_at: number;
}
export interface AlertDeliveriesTable {
  id: string;
  group_key: string;
  url: string;
  format: string;
  items: string;
  status: string;
  attempts: number;
  not_before: number;
  created_at: number;
  sent_at: number | null;
  last_error: string | null;
  response_status: number | null;
}
export interface RunbookRunsTable {
  id: string;
  kind: string;
  target: string;
  target_label: string;
  status: string;
  alert_id: string | null;
  created_by: string;
  created_at: number;
  updated_at: number;
  verify_minutes: number;
  verify_share: number;
  verify_state: string | null;
}
export interface RunbookEntriesTable {
  id: string;
  run_id: string;
  ts: number;
  actor: string;
  kind: string;
  step: string | null;
  detail: string;
}

/** A failed, retried or revoked Celery task as read from a result backend (server/failures). */
export interface TaskFailuresTable {
  broker: string;
  task_id: string;
  status: string;
  task_name: string | null;
  exc_type: string | null;
  exc_message: string | null;
  exc_module: string | null;
  traceback: string | null;
  worker: string | null;
  queue: string | null;
  /** JSON, only with result_extended. */
  args: string | null;
  kwargs: string | null;
  retries: number | null;
  date_done: number | null;
  first_seen: number;
  last_seen: number;
  retried_as: string | null;
  retried_at: number | null;
  retried_by: string | null;
}

/** A paused queue (deleted on resume). `workers`: JSON list of hostnames told to cancel_consumer. */
export interface QueuePausesTable {
  broker: string;
  queue: string;
  paused_by: string;
  paused_at: number;
  reason: string;
  audit_id: string;
  workers: string;
}

/**
 * A task message the console saw in a queue before it ran (server/failures/seen.ts). `envelope`: the message as kombu
 * wrote it (JSON: body, headers, properties); it holds the task's arguments, shown only as the message browser would.
 */
export interface SeenMessagesTable {
  broker: string;
  task_id: string;
  task_name: string;
  /** The queue whose list held it (a re-publish goes back there). */
  queue: string;
  exchange: string | null;
  routing_key: string | null;
  priority: number;
  envelope: string;
  seen_at: number;
}

export interface Database {
  task_failures: TaskFailuresTable;
  seen_messages: SeenMessagesTable;
  alert_rules: AlertRulesTable;
  alerts: AlertsTable;
  alert_deliveries: AlertDeliveriesTable;
  runbook_runs: RunbookRunsTable;
  runbook_entries: RunbookEntriesTable;
  timeboxes: TimeboxesTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  setup_tokens: SetupTokensTable;
  login_throttle: LoginThrottleTable;
  settings: SettingsTable;
  series: SeriesTable;
  container_points: ContainerPointsTable;
  container_events: ContainerEventsTable;
  queue_points: QueuePointsTable;
  task_points: TaskPointsTable;
  task_queues: TaskQueuesTable;
  workers_seen: WorkersSeenTable;
  leases: LeasesTable;
  audit_heads: AuditHeadsTable;
  queue_pauses: QueuePausesTable;
}
