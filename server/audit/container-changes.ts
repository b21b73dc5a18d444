import "server-only";
import { changeLabel } from "@/lib/change-label";
import type { ContainerChange } from "@/server/schemas/containers";
import { queryAudit } from "./access";
import { targetMatches, type AuditRow } from "./query";

// The audited changes to one container within a chart's window, for its markers. Container and cgroup actions record
// host/name as target and host/<full id> as targetId, so the full id finds them whatever name the container had.

/** Bounds the backwards scan: a chart's markers are not worth reading a huge audit file for. */
const MAX_SCAN_LINES = 50_000;
const MAX_CHANGES = 200;

function toChange(r: AuditRow): ContainerChange {
  return {
    auditId: r.id,
    ts: Date.parse(r.ts),
    endTs: r.outcomeEntry ? Date.parse(r.outcomeEntry.ts) : null,
    action: r.action,
    actor: r.actor,
    params: r.params,
    before: r.outcomeEntry?.before,
    outcome: r.outcome,
  };
}

export async function containerChanges(
  host: string,
  fullId: string,
  name: string,
  fromMs: number,
  toMs: number,
): Promise<ContainerChange[]> {
  const page = await queryAudit({
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
    limit: MAX_CHANGES,
    maxScanLines: MAX_SCAN_LINES,
    // An hour of slack: the file is in append order, give or take a slow action between intent and outcome.
    stopBefore: new Date(fromMs - 3_600_000).toISOString(),
    // Older entries without a targetId name the container as host/name.
    where: (r) =>
      r.kind === "action" &&
      (targetMatches(r, `${host}/${fullId}`) || (r.targetId === null && r.target === `${host}/${name}`)) &&
      changeLabel(toChange(r)) !== null,
  });
  return page.rows.map(toChange);
}
