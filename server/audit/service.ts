import "server-only";
import { appendAudit, type AppendResult } from "./audit-log";

// Security events (logins, failed logins, denied requests, settings changes) as single audit
// entries. Uses the process-wide log set at start-up (setAuditLog); refuses when there is none.

export interface AuditEventInput {
  /** login | login-failed | denied | settings | ... */
  kind: string;
  actor: string;
  role: string | null;
  sourceIp: string | null;
  action: string;
  /** Why it happened / what was denied; free text, never a secret. */
  detail: string | null;
  target?: string | null;
  params?: unknown;
}

export function auditEvent(e: AuditEventInput): Promise<AppendResult> {
  return appendAudit({
    kind: "event",
    event: e.kind,
    actor: e.actor,
    role: e.role,
    sourceIp: e.sourceIp,
    action: e.action,
    target: e.target ?? null,
    params: e.params,
    reason: e.detail,
  });
}

export { appendAudit, openAuditLog, setAuditLog, MemoryHeadStore, type AuditLog, type AppendResult } from "./audit-log";
export type { AuditEntry, AuditInput, AuditSink, ChainHead, HeadStore } from "./types";
