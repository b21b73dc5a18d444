import type { Metadata } from "next";
import { PageTitle } from "@/components/ui/panel";
import { WorkersView } from "@/components/workers/workers-view";

export const metadata: Metadata = { title: "Workers" };

export default function WorkersPage() {
  return (
    <>
      <PageTitle sub="Celery workers seen by heartbeat or ping, and which queues they drain.">Workers</PageTitle>
      <WorkersView />
    </>
  );
}
