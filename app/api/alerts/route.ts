import { getConfig } from "@/server/config";
import { apiRoute } from "@/server/http/handle";
import { groupAlerts } from "@/server/alerts/groups";
import { listAlerts, loadRules, recentDeliveries } from "@/server/alerts/store";
import type { AlertsResponse } from "@/server/alerts/types";

export const dynamic = "force-dynamic";

// Alerts (active and resolved in the last day), their rules, and the webhook delivery log.
export const GET = apiRoute({ access: "viewer" }, async () => {
  const [alerts, rules, deliveries] = await Promise.all([listAlerts(), loadRules(), recentDeliveries()]);
  // Webhook URLs may hold tokens (Slack's do): show scheme and host only.
  const webhooks = getConfig().webhooks.map((w) => ({ format: w.format, url: new URL(w.url).origin }));
  return {
    alerts,
    groups: groupAlerts(alerts),
    rules,
    deliveries: deliveries.map((d) => ({ ...d, url: new URL(d.url).origin })),
    webhooks,
  } satisfies AlertsResponse;
});
