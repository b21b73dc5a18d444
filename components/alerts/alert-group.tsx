"use client";
import { StatusBadge } from "@/components/ui/status-badge";
import { fmtAge } from "@/lib/format";
import { statusOfSeverity } from "@/lib/status";
import { RULE_META, type AlertGroup } from "@/server/schemas/alerts";
import { AlertRow } from "./alert-row";
import { TargetLink } from "./target-link";

// One target and everything that fires on it: the worst severity as the pages draw it, a link to the target, then
// each alert with its lifecycle buttons.
export function AlertGroupCard({ group: g }: { group: AlertGroup }) {
  return (
    <li
      className="py-3"
      data-testid="alert-group"
      data-target={g.targetLabel}
      data-severity={g.severity}
      data-state={g.state}
    >
      <div className="flex min-w-0 flex-wrap items-center gap-2 text-sm">
        <StatusBadge status={statusOfSeverity(g.severity)} />
        <span className="text-xs text-zinc-500">{g.target.kind}</span>
        <TargetLink target={g.target} label={g.targetLabel} />
        <span className="ml-auto text-xs text-zinc-500">
          {g.firing > 0 ? `${g.firing} firing` : g.state} · latest {fmtAge(g.latestAt)}
        </span>
      </div>
      <ul className="mt-1 ml-1 border-l border-zinc-200 pl-3 dark:border-zinc-800">
        {g.alerts.map((a) => (
          <AlertRow key={a.id} alert={a} ruleTitle={RULE_META[a.rule]?.title ?? a.rule} />
        ))}
      </ul>
    </li>
  );
}
