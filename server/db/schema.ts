// One schema for SQLite and PostgreSQL. Times are epoch milliseconds (bigint in PG, parsed to number).

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
}
export interface SetupTokensTable {
  token_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}
export interface LoginAttemptsTable {
  key: string;
  ts: number;
}
export interface SettingsTable {
  key: string;
  value: string;
  updated_at: number;
  updated_by: string | null;
}
export interface ContainerSamplesTable {
  host: string;
  container_id: string;
  res: number; // 0 = raw, else bucket seconds
  ts: number;
  name: string;
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
export interface QueueSamplesTable {
  broker: string;
  queue: string;
  res: number;
  ts: number;
  depth: number;
  unacked: number;
  orphaned: number;
  rate_in: number | null;
  rate_out: number | null;
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

export interface Database {
  timeboxes: TimeboxesTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  setup_tokens: SetupTokensTable;
  login_attempts: LoginAttemptsTable;
  settings: SettingsTable;
  container_samples: ContainerSamplesTable;
  container_events: ContainerEventsTable;
  queue_samples: QueueSamplesTable;
  workers_seen: WorkersSeenTable;
  leases: LeasesTable;
  audit_heads: AuditHeadsTable;
}
