"use client";
import Link from "next/link";
import { Panel } from "@/components/ui/panel";
import { QueryFallback } from "@/components/ui/query-state";
import { StatusBadge } from "@/components/ui/status-badge";
import { fmtInt } from "@/lib/format";
import { statusOfSeverity } from "@/lib/status";
import { RULE_META } from "@/server/schemas/alerts";
import { TargetLink } from "./target-link";
import { useAlerts } from "./use-alerts";

// Overview: how many alerts fire, and the worst few targets with a link to each.
export function AlertsSummary() {
  const q = useAlerts();
  const data = q.data;
  if (!data)
    return (
      <Panel title="Alerts">
        <QueryFallback query={q} what="alerts" />
      </Panel>
    );
  const firing = data.groups.filter((g) => g.firing > 0);
  const count = data.alerts.filter((a) => a.state === "firing").length;
  return (
    <Panel
      title={
        <Link href="/alerts" className="hover:underline">
          Alerts
        </Link>
      }
      testId="overview-alerts"
      aside={
        <span
          className={`text-xs tabular-nums ${count > 0 ? "font-semibold text-red-700 dark:text-red-300" : "text-zinc-500"}`}
          data-testid="overview-firing"
        >
          {fmtInt(count)} firing
        </span>
      }
    >
      {firing.length === 0 ? (
        <p className="text-sm text-zinc-500">Nothing is firing.</p>
      ) : (
        <ul className="space-y-1 text-sm">
          {firing.slice(0, 5).map((g) => (
            <li key={g.key} className="flex min-w-0 flex-wrap items-center gap-2">
              <StatusBadge status={statusOfSeverity(g.severity)} />
              <TargetLink target={g.target} label={g.targetLabel} />
              <span className="text-xs text-zinc-500">{RULE_META[g.alerts[0]!.rule]?.title}</span>
            </li>
          ))}
          {firing.length > 5 && (
            <li>
              <Link href="/alerts" className="text-xs text-blue-700 hover:underline dark:text-blue-300">
                and {fmtInt(firing.length - 5)} more targets
              </Link>
            </li>
          )}
        </ul>
      )}
    </Panel>
  );
}
