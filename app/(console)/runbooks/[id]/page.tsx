import type { Metadata } from "next";
import { RunbookView } from "@/components/runbooks/runbook-view";

export const metadata: Metadata = { title: "Runbook" };

export default async function RunbookPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <RunbookView id={decodeURIComponent(id)} />;
}
