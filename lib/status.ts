// Status order and words shared by every table: worst first, so on-call reads top-down.
import type { Status } from "@/server/schemas/containers";
import type { QueueStatus } from "@/server/schemas/queues";

const RANK: Record<QueueStatus, number> = { critical: 0, warn: 1, unknown: 2, idle: 3, ok: 4 };

export function statusRank(s: QueueStatus): number {
  return RANK[s] ?? 2;
}

export const STATUS_LABEL: Record<QueueStatus, string> = {
  critical: "critical",
  warn: "warning",
  unknown: "unknown",
  idle: "idle",
  ok: "ok",
};

/** Compares nullable numbers so that nulls sort last whatever the direction. */
export function compareNullable(a: number | null | undefined, b: number | null | undefined, dir: 1 | -1): number {
  const an = a === null || a === undefined || Number.isNaN(a);
  const bn = b === null || b === undefined || Number.isNaN(b);
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  return (a - b) * dir;
}

/** Alert severities drawn with the same badge, words and colours as page statuses (one severity model). */
export function statusOfSeverity(severity: "warning" | "critical"): Status {
  return severity === "critical" ? "critical" : "warn";
}
