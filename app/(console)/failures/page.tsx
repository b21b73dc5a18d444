import type { Metadata } from "next";
import { FailuresView } from "@/components/failures/failures-view";
import { PageTitle } from "@/components/ui/panel";

export const metadata: Metadata = { title: "Failures" };

export default function FailuresPage() {
  return (
    <>
      <PageTitle sub="Failed, retried and revoked Celery tasks read from the result backends, kept after Redis expires them.">
        Failures
      </PageTitle>
      <FailuresView />
    </>
  );
}
