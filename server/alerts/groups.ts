import "server-only";
import type { AlertGroup, AlertRecord, AlertTarget } from "./types";

// Alertmanager-style grouping for the alerts page: one group per target (a queue's depth and no-consumer alerts
// are one thing to look at), worst first. Pure, so the order is unit-tested.

const SEVERITY_RANK = { critical: 0, warning: 1 } as const;
const STATE_RANK: Record<AlertRecord["state"], number> = {
  firing: 0,
  pending: 1,
  acknowledged: 2,
  silenced: 3,
  resolved: 4,
};
// Within a severity, harm that is happening now (forks refused, a source down) outranks harm that is coming.
const HARM_NOW = new Set<AlertRecord["rule"]>(["container-refused", "source-down"]);

function targetKey(t: AlertTarget): string {
  switch (t.kind) {
    case "container":
      return `container|${t.host}|${t.id}`;
    case "queue":
      return `queue|${t.broker}|${t.queue}`;
    case "worker":
      return `worker|${t.broker}|${t.hostname}`;
    case "source":
      return `source|${t.sourceKind}|${t.name}`;
    case "task":
      return `task|${t.broker}|${t.task ?? ""}|${t.exc ?? ""}`;
  }
}

function alertOrder(a: AlertRecord, b: AlertRecord): number {
  return (
    STATE_RANK[a.state] - STATE_RANK[b.state] ||
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    Number(HARM_NOW.has(b.rule)) - Number(HARM_NOW.has(a.rule)) ||
    (b.firedAt ?? b.pendingSince) - (a.firedAt ?? a.pendingSince)
  );
}

export function groupAlerts(alerts: readonly AlertRecord[]): AlertGroup[] {
  const byTarget = new Map<string, AlertRecord[]>();
  for (const a of alerts) {
    const key = targetKey(a.target);
    byTarget.set(key, [...(byTarget.get(key) ?? []), a]);
  }
  const groups: AlertGroup[] = [...byTarget].map(([key, list]) => {
    const sorted = [...list].sort(alertOrder);
    const lead = sorted[0]!;
    return {
      key,
      target: lead.target,
      targetLabel: lead.targetLabel,
      severity: lead.severity,
      state: lead.state,
      firing: list.filter((a) => a.state === "firing").length,
      latestAt: Math.max(...list.map((a) => a.firedAt ?? a.pendingSince)),
      alerts: sorted,
    };
  });
  // A group ranks by its worst alert; among equals the newest comes first.
  return groups.sort((a, b) => alertOrder(a.alerts[0]!, b.alerts[0]!) || b.latestAt - a.latestAt);
}
