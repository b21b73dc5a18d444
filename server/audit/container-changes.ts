import "server-only";
import { stat } from "node:fs/promises";
import { changeLabel } from "@/lib/change-label";
import type { ContainerChange } from "@/server/schemas/containers";
import { processState } from "@/server/process-state";
import { auditFile, queryAudit } from "./access";
import { targetMatches, type AuditRow } from "./query";

// The audited changes to one container within a chart's window, for its markers. Container and cgroup actions record
// host/name as target and host/<full id> as targetId, so the full id finds them whatever name the container had.

/** Bounds the backwards scan: a chart's markers are not worth reading a huge audit file for. */
const MAX_SCAN_LINES = 50_000;
const MAX_CHANGES = 200;
/** Containers whose last answer is kept (a container page refreshes every few seconds; the file rarely changes). */
const KEPT_CONTAINERS = 500;

interface Kept {
  /** The audit file as read: any append (by this console or another on the same file) changes one of them. */
  size: number;
  mtimeMs: number;
  fromMs: number;
  changes: ContainerChange[];
}
const keptByContainer = () => processState("audit/container-changes", () => new Map<string, Kept>());

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
  const key = `${host}/${fullId}/${name}`;
  const file = await stat(auditFile()).catch(() => null);
  const kept = keptByContainer().get(key);
  // The file unchanged since a read that started no later: nothing new can be in it, so filter what that read found.
  if (file && kept && kept.size === file.size && kept.mtimeMs === file.mtimeMs && kept.fromMs <= fromMs)
    return kept.changes.filter((c) => c.ts >= fromMs && c.ts <= toMs);
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
  const changes = page.rows.map(toChange);
  const all = keptByContainer();
  all.delete(key);
  // Kept only when the read was whole (not cut at MAX_CHANGES or the scan bound) of a file that exists.
  if (file && !page.truncatedScan && changes.length < MAX_CHANGES) {
    all.set(key, { size: file.size, mtimeMs: file.mtimeMs, fromMs, changes });
    if (all.size > KEPT_CONTAINERS) all.delete(all.keys().next().value!);
  }
  return changes;
}
