// Response bodies of the audit API (GET /api/audit, GET /api/audit/verify), shared by the route handlers, the
// server's query and verify code, and the audit page.

/** One row of GET /api/audit: an action (its intent paired with its outcome) or an event. */
export interface AuditListRow {
  id: string;
  kind: "action" | "event";
  ts: string;
  actor: string;
  role: string | null;
  sourceIp: string | null;
  action: string;
  target: string | null;
  /** A container's host/<full id> as resolved when the action ran (the target holds its name). */
  targetId: string | null;
  params: unknown;
  reason: string | null;
  /** Outcome `result`, "unknown" for an intent without outcome; for events their result or type (login-failed, denied...). */
  outcome: string;
  durationMs: number | null;
  error: string | null;
}

export interface AuditListResponse {
  entries: AuditListRow[];
  /** The scan stopped at its line bound: older entries may match too. */
  truncatedScan: boolean;
}

/** GET /api/audit/{id}: one entry with the lines it was built from (preview, before/after, verify, chain fields). */
export interface AuditEntryResponse {
  entry: AuditListRow;
  /** The intent line of an action (null for an event). */
  intent: Record<string, unknown> | null;
  /** The outcome line of an action, or the event's own line; null while the action has no outcome yet. */
  outcome: Record<string, unknown> | null;
}

export type AuditProblem = "edited" | "deleted" | "reordered" | "truncated" | "bad-hmac" | "malformed";

/** GET /api/audit/verify: the chain check of this instance's audit file. */
export interface AuditVerifyResponse {
  ok: boolean;
  entries: number;
  firstBadSeq?: number;
  /** 1-based line number in the file. */
  line?: number;
  problem?: AuditProblem;
  message: string;
  /** Entries written after the database head (a head write that failed); they are HMAC-valid. */
  headLag?: number;
}
