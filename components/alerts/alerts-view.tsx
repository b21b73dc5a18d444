"use client";
import { useState } from "react";
import { Panel } from "@/components/ui/panel";
import { QueryFallback } from "@/components/ui/query-state";
import { AlertGroupCard } from "./alert-group";
import { DeliveryLog } from "./delivery-log";
import { RulesTable } from "./rules-table";
import { useAlerts } from "./use-alerts";

// The alerts page: what fires now (with its lifecycle and runbook), the rules, and the webhook delivery log.
export function AlertsView() {
  const q = useAlerts();
  const [showResolved, setShowResolved] = useState(false);
  if (!q.data) return <QueryFallback query={q} what="alerts" />;
  const { alerts, groups, rules, deliveries, webhooks } = q.data;
  // Groups come worst first from the server; hiding resolved alerts can leave a group empty.
  const shown = groups
    .map((g) => (showResolved ? g : { ...g, alerts: g.alerts.filter((a) => a.state !== "resolved") }))
    .filter((g) => g.alerts.length > 0);
  const firing = alerts.filter((a) => a.state === "firing").length;
  return (
    <div className="space-y-4">
      <Panel
        title={`Alerts: ${firing} firing on ${groups.filter((g) => g.firing > 0).length} targets`}
        testId="alerts-panel"
        aside={
          <label className="text-xs">
            <input type="checkbox" checked={showResolved} onChange={(e) => setShowResolved(e.target.checked)} /> show
            resolved (last 24 h)
          </label>
        }
      >
        {shown.length === 0 ? (
          <p className="text-sm text-zinc-500">Nothing is firing.</p>
        ) : (
          <ul className="divide-y divide-zinc-200 dark:divide-zinc-800">
            {shown.map((g) => (
              <AlertGroupCard key={g.key} group={g} />
            ))}
          </ul>
        )}
      </Panel>
      <Panel title="Rules" testId="alert-rules">
        <RulesTable rules={rules} />
      </Panel>
      <Panel
        title="Webhook deliveries"
        testId="alert-deliveries"
        aside={
          <span className="text-xs break-all text-zinc-500">
            {webhooks.length
              ? webhooks.map((w) => `${w.format} → ${w.url}`).join(", ")
              : "No webhook configured (LEAKWATCH_WEBHOOKS)"}
          </span>
        }
      >
        <DeliveryLog deliveries={deliveries} />
      </Panel>
    </div>
  );
}
