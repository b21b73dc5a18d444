import "server-only";
import { fmtDuration, plural } from "@/lib/format";
import type { ContainersResponse, QueuesResponse, WorkersResponse } from "@/server/schemas/api";
import type { SourceState } from "@/server/schemas/sources";
import type { AlertRule, AlertTarget, RuleId, Severity } from "./types";

// Pure: which rule conditions hold in the latest snapshots. A scope (a Docker host, a broker) that was not
// read successfully is left out of `scopes`, so its alerts neither fire nor resolve on stale or missing data.

export interface Condition {
  fingerprint: string;
  rule: RuleId;
  severity: Severity;
  target: AlertTarget;
  targetLabel: string;
  summary: string;
  value: number | null;
  scope: string;
}

export interface Snapshots {
  containers?: ContainersResponse;
  queues?: QueuesResponse;
  workers?: WorkersResponse;
  sources?: SourceState[];
  failures?: FailureInputs;
}

export const scopeOf = (t: AlertTarget): string =>
  t.kind === "container"
    ? `docker:${t.host}`
    : t.kind === "source"
      ? "sources"
      : t.kind === "task"
        ? `results:${t.broker}`
        : `broker:${t.broker}`;

/** What the failure rules read from the store (server/failures/alert-inputs.ts), per broker with a result backend. */
export interface FailureInputs {
  /** Brokers whose stored failures were read this pass (their task alerts may fire or resolve). */
  brokers: string[];
  /** FAILUREs per task within the task-failures window. */
  counts: { broker: string; task: string | null; count: number }[];
  /** Exception types whose first failure lies within the task-new-exception window, after a window of watching. */
  newTypes: { broker: string; exc: string; task: string | null; first: number; count: number }[];
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

function containerConditions(s: ContainersResponse, rules: Map<RuleId, AlertRule>, out: Condition[]): void {
  const share = rules.get("container-share"),
    eta = rules.get("container-eta"),
    refused = rules.get("container-refused");
  for (const c of s.containers) {
    const target: AlertTarget = { kind: "container", host: c.host, id: c.id, name: c.name };
    const label = `${c.host}/${c.name}`;
    const base = { target, targetLabel: label, scope: `docker:${c.host}` };
    const cur = c.pids.current,
      lim = c.pids.effectiveLimit;
    if (share && cur !== null && lim) {
      const x = cur / lim;
      if (x >= (share.params.share ?? 0.8))
        out.push({
          ...base,
          fingerprint: `container-share|${c.host}|${c.id}`,
          rule: "container-share",
          severity: share.severity,
          value: x,
          summary: `${label}: ${cur} of ${lim} pids (${pct(x)} of the effective limit, from ${c.pids.limitSource})`,
        });
    }
    if (eta && c.etaSeconds !== null && c.etaSeconds < (eta.params.etaSeconds ?? 1800))
      out.push({
        ...base,
        fingerprint: `container-eta|${c.host}|${c.id}`,
        rule: "container-eta",
        severity: eta.severity,
        value: c.etaSeconds,
        summary: `${label}: the effective limit ${lim ?? "?"} is reached in about ${Math.round(c.etaSeconds)} s at ${c.growthPerMinute?.toFixed(1) ?? "?"} pids/min`,
      });
    // Holds while refusals are recent: the counter never goes down, so "above 0" alone would hold until a restart.
    const quietMs = (refused?.params.quietSeconds ?? 600) * 1000;
    const recent = c.refusingNow || (c.lastRefusalAt !== null && c.sampledAt - c.lastRefusalAt < quietMs);
    if (refused && (c.pids.refusedTotal ?? 0) > 0 && recent)
      out.push({
        ...base,
        fingerprint: `container-refused|${c.host}|${c.id}`,
        rule: "container-refused",
        severity: refused.severity,
        value: c.pids.refusedTotal,
        summary: `${label}: ${plural(c.pids.refusedTotal, "fork")} refused at the pids limit${c.refusingNow ? " (refusing now)" : ""}`,
      });
  }
}

function queueConditions(
  s: QueuesResponse,
  w: WorkersResponse | undefined,
  rules: Map<RuleId, AlertRule>,
  out: Condition[],
  scopes: Set<string>,
): void {
  const depth = rules.get("queue-depth"),
    none = rules.get("queue-no-consumer"),
    orphaned = rules.get("queue-orphaned"),
    paused = rules.get("queue-paused"),
    gone = rules.get("worker-gone");
  for (const b of s.brokers) {
    if (!b.ok) continue;
    scopes.add(`broker:${b.name}`);
    for (const q of b.queues) {
      const target: AlertTarget = { kind: "queue", broker: b.name, queue: q.name };
      const base = { target, targetLabel: `${b.name}/${q.name}`, scope: `broker:${b.name}` };
      const threshold = depth?.params.depth ?? q.threshold;
      if (depth && q.depth > threshold)
        out.push({
          ...base,
          fingerprint: `queue-depth|${b.name}|${q.name}`,
          rule: "queue-depth",
          severity: depth.severity,
          value: q.depth,
          summary: `${q.name} on ${b.name}: ${plural(q.depth, "message")} waiting (threshold ${threshold})`,
        });
      // A paused queue has no consumer on purpose: the paused-too-long rule speaks for it instead.
      if (none && !q.paused && q.depth >= (none.params.minDepth ?? 1) && q.consumers.length === 0)
        out.push({
          ...base,
          fingerprint: `queue-no-consumer|${b.name}|${q.name}`,
          rule: "queue-no-consumer",
          severity: none.severity,
          value: q.depth,
          summary: `${q.name} on ${b.name}: ${plural(q.depth, "message")} and no consumer`,
        });
      const pausedSeconds = q.paused && b.sampledAt !== null ? (b.sampledAt - q.paused.since) / 1000 : null;
      if (paused && pausedSeconds !== null && pausedSeconds >= (paused.params.pausedSeconds ?? 3600))
        out.push({
          ...base,
          fingerprint: `queue-paused|${b.name}|${q.name}`,
          rule: "queue-paused",
          severity: paused.severity,
          value: Math.round(pausedSeconds),
          summary: `${q.name} on ${b.name}: paused by ${q.paused!.by} for ${fmtDuration(pausedSeconds)} (${plural(q.depth, "message")} waiting; reason: ${q.paused!.reason})`,
        });
      if (orphaned && q.orphaned >= (orphaned.params.minOrphaned ?? 1))
        out.push({
          ...base,
          fingerprint: `queue-orphaned|${b.name}|${q.name}`,
          rule: "queue-orphaned",
          severity: orphaned.severity,
          value: q.orphaned,
          summary: `${q.name} on ${b.name}: ${q.orphaned} unacked messages whose worker is gone`,
        });
    }
    if (!gone) continue;
    for (const wk of w?.workers.filter((x) => x.broker === b.name && !x.alive) ?? [])
      out.push({
        fingerprint: `worker-gone|${b.name}|${wk.hostname}`,
        rule: "worker-gone",
        severity: gone.severity,
        value: null,
        scope: `broker:${b.name}`,
        target: { kind: "worker", broker: b.name, hostname: wk.hostname, queues: wk.queues },
        targetLabel: `${b.name}/${wk.hostname}`,
        summary: `${wk.hostname} on ${b.name} stopped answering (last seen ${new Date(wk.lastSeen).toISOString()}; consumed ${wk.queues.join(", ") || "no queue"})`,
      });
  }
}

function failureConditions(f: FailureInputs, rules: Map<RuleId, AlertRule>, out: Condition[], scopes: Set<string>) {
  for (const b of f.brokers) scopes.add(`results:${b}`);
  const rate = rules.get("task-failures"),
    fresh = rules.get("task-new-exception");
  if (rate) {
    const min = rate.params.minFailures ?? 10;
    const window = rate.params.windowSeconds ?? 600;
    for (const c of f.counts) {
      if (c.count < min) continue;
      const name = c.task ?? "(task name not recorded)";
      out.push({
        fingerprint: `task-failures|${c.broker}|${c.task ?? ""}`,
        rule: "task-failures",
        severity: rate.severity,
        value: c.count,
        scope: `results:${c.broker}`,
        target: { kind: "task", broker: c.broker, task: c.task, exc: null },
        targetLabel: `${c.broker}/${name}`,
        summary: `${name} on ${c.broker}: ${plural(c.count, "failure")} in the last ${Math.round(window / 60)} min (threshold ${min})`,
      });
    }
  }
  if (fresh)
    for (const t of f.newTypes)
      out.push({
        fingerprint: `task-new-exception|${t.broker}|${t.exc}`,
        rule: "task-new-exception",
        severity: fresh.severity,
        value: t.count,
        scope: `results:${t.broker}`,
        target: { kind: "task", broker: t.broker, task: t.task, exc: t.exc },
        targetLabel: `${t.broker}/${t.exc}`,
        summary: `New exception type ${t.exc} on ${t.broker}${t.task ? ` (from ${t.task})` : ""}: ${plural(t.count, "failure")} since ${new Date(t.first).toISOString()}`,
      });
}

export function evaluateConditions(s: Snapshots, rules: AlertRule[]): { conditions: Condition[]; scopes: Set<string> } {
  const enabled = new Map(rules.filter((r) => r.enabled).map((r) => [r.id, r]));
  const out: Condition[] = [];
  const scopes = new Set<string>();
  if (s.containers) {
    for (const h of s.containers.hosts) if (h.ok) scopes.add(`docker:${h.name}`);
    containerConditions(
      { ...s.containers, containers: s.containers.containers.filter((c) => scopes.has(`docker:${c.host}`)) },
      enabled,
      out,
    );
  }
  if (s.queues) queueConditions(s.queues, s.workers, enabled, out, scopes);
  if (s.failures) failureConditions(s.failures, enabled, out, scopes);
  const down = enabled.get("source-down");
  if (s.sources) {
    scopes.add("sources");
    for (const src of s.sources) {
      if (!down || src.ok || src.checkedAt === null) continue;
      out.push({
        fingerprint: `source-down|${src.kind}|${src.name}`,
        rule: "source-down",
        severity: down.severity,
        value: null,
        scope: "sources",
        target: { kind: "source", sourceKind: src.kind, name: src.name },
        targetLabel: `${src.kind}/${src.name}`,
        summary: `${src.kind} source ${src.name} is down: ${src.lastError ?? "no answer"}`,
      });
    }
  }
  return { conditions: out, scopes };
}
