import "server-only";
import { access } from "node:fs/promises";
import { readLinesBackward } from "./read-lines";
import type { AuditListRow } from "@/server/schemas/audit";
import type { AuditEntry } from "./types";

// The audit page's query: newest first, reading the file backwards and pairing each intent with
// its outcome (an outcome is always written after its intent, so it is met first). The scan is
// bounded so a huge file cannot stall a request; `truncatedScan` tells the page it stopped early.

/** The API's row plus the two audit lines it was built from. */
export interface AuditRow extends AuditListRow {
  intent: AuditEntry | null;
  outcomeEntry: AuditEntry | null;
}

export interface AuditQuery {
  /** Exactly this entry (an intent and its outcome share the id). */
  id?: string;
  actor?: string;
  /** Any case, anywhere in the action name ("pids" finds container.set-pids-limit and cgroup.set-pids-max). */
  action?: string;
  /** Any case, anywhere in the recorded target or the container's host/<full id> (so an id prefix finds it). */
  target?: string;
  outcome?: string;
  /** ISO timestamps, inclusive. */
  from?: string;
  to?: string;
  limit: number;
  offset?: number;
  /** Stop after this many lines (default 200,000). */
  maxScanLines?: number;
  /**
   * Stop at the first line older than this ISO time: lines are appended in time order, so a query for a recent window
   * need not read the rest of the file.
   */
  stopBefore?: string;
  /** A further test in code (a container's changes: its id or, in older entries, its name). */
  where?: (r: AuditRow) => boolean;
}

export interface AuditPage {
  rows: AuditRow[];
  truncatedScan: boolean;
}

function toRow(main: AuditEntry, outcome: AuditEntry | null): AuditRow {
  const isEvent = main.kind === "event";
  return {
    id: main.id,
    kind: isEvent ? "event" : "action",
    ts: main.ts,
    actor: main.actor,
    role: main.role ?? null,
    sourceIp: main.sourceIp ?? null,
    action: main.action,
    target: main.target ?? null,
    targetId: main.targetId ?? outcome?.targetId ?? null,
    params: main.params ?? null,
    reason: main.reason ?? null,
    outcome: isEvent ? (main.result ?? main.event ?? "event") : (outcome?.result ?? "unknown"),
    durationMs: outcome?.durationMs ?? null,
    error: (isEvent ? main.error : outcome?.error) ?? null,
    intent: isEvent ? null : main,
    outcomeEntry: isEvent ? main : outcome,
  };
}

/** The target as recorded, or the container's id: full, or a prefix of at least 12 characters (as `docker ps` shows). */
export function targetMatches(r: AuditRow, wanted: string): boolean {
  if (r.target === wanted) return true;
  const id = r.intent?.targetId ?? r.outcomeEntry?.targetId;
  if (!id) return false;
  return id === wanted || (wanted.length - wanted.indexOf("/") > 12 && id.startsWith(wanted));
}

const holds = (value: string | null, wanted: string) => value !== null && value.toLowerCase().includes(wanted);

/** The audit page's target filter: a case-insensitive substring of the recorded target or of the container's id. */
function targetContains(r: AuditRow, wanted: string): boolean {
  const w = wanted.toLowerCase();
  return holds(r.target, w) || holds(r.targetId, w);
}

function matches(r: AuditRow, q: AuditQuery): boolean {
  return (
    (!q.id || r.id === q.id) &&
    (!q.actor || r.actor === q.actor) &&
    (!q.action || holds(r.action, q.action.toLowerCase())) &&
    (!q.target || targetContains(r, q.target)) &&
    (!q.outcome || r.outcome === q.outcome) &&
    (!q.from || r.ts >= q.from) &&
    (!q.to || r.ts <= q.to) &&
    (!q.where || q.where(r))
  );
}

export async function readAudit(file: string, q: AuditQuery): Promise<AuditPage> {
  const rows: AuditRow[] = [];
  if (
    !(await access(file).then(
      () => true,
      () => false,
    ))
  )
    return { rows, truncatedScan: false };
  const offset = q.offset ?? 0;
  const maxScan = q.maxScanLines ?? 200_000;
  const outcomes = new Map<string, AuditEntry>();
  let skipped = 0;
  let scanned = 0;
  for await (const line of readLinesBackward(file)) {
    if (++scanned > maxScan) return { rows, truncatedScan: true };
    let e: AuditEntry;
    try {
      e = JSON.parse(line) as AuditEntry;
    } catch {
      continue;
    }
    if (q.stopBefore && e.ts < q.stopBefore) break;
    if (e.kind === "outcome") {
      outcomes.set(e.id, e);
      continue;
    }
    const outcome = outcomes.get(e.id) ?? null;
    outcomes.delete(e.id);
    const row = toRow(e, outcome);
    if (!matches(row, q)) continue;
    if (skipped < offset) {
      skipped++;
      continue;
    }
    rows.push(row);
    if (rows.length >= q.limit) break;
  }
  return { rows, truncatedScan: false };
}
