import type { Metadata } from "next";
import { AlertsView } from "@/components/alerts/alerts-view";
import { PageTitle } from "@/components/ui/panel";

export const metadata: Metadata = { title: "Alerts" };

export default function AlertsPage() {
  return (
    <>
      <PageTitle sub="Firing, acknowledged and silenced alerts, their rules, and webhook deliveries.">Alerts</PageTitle>
      <AlertsView />
    </>
  );
}
