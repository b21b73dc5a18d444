import type { Metadata } from "next";
import { AlertsSummary } from "@/components/alerts/alerts-summary";
import { FleetSummary } from "@/components/containers/fleet-summary";
import { QueueAlerts } from "@/components/queues/queue-alerts";
import { PageTitle } from "@/components/ui/panel";
import { WorkerCount } from "@/components/workers/worker-count";

export const metadata: Metadata = { title: "Overview" };

// The on-call glance: what is in trouble now, and a link into each.
export default function OverviewPage() {
  return (
    <>
      <PageTitle>Overview</PageTitle>
      <div className="grid gap-4 xl:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <FleetSummary />
        <div className="min-w-0 space-y-4">
          <AlertsSummary />
          <QueueAlerts />
          <WorkerCount />
        </div>
      </div>
    </>
  );
}
