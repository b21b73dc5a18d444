import type { Metadata } from "next";
import { QueuesView } from "@/components/queues/queues-view";
import { PageTitle } from "@/components/ui/panel";

export const metadata: Metadata = { title: "Queues" };

export default function QueuesPage() {
  return (
    <>
      <PageTitle sub="Celery queues per broker, including kombu priority sub-queues and unacked messages.">
        Queues
      </PageTitle>
      <QueuesView />
    </>
  );
}
