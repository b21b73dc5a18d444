import type { Metadata } from "next";
import { RunbooksList } from "@/components/runbooks/runbooks-list";
import { PageTitle } from "@/components/ui/panel";

export const metadata: Metadata = { title: "Runbooks" };

export default function RunbooksPage() {
  return (
    <>
      <PageTitle sub="Guided incident runs: thread leak and queue backlog, shared live by everyone on call.">
        Runbooks
      </PageTitle>
      <RunbooksList />
    </>
  );
}
