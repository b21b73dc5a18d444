import type { Metadata } from "next";
import { StartRunbook } from "@/components/runbooks/start-runbook";
import { PageTitle } from "@/components/ui/panel";

export const metadata: Metadata = { title: "Start a runbook" };

type Search = Promise<Record<string, string | string[] | undefined>>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

// Links from alerts (?alert=id), the overview or a container (?kind=thread-leak&host=&id=), or a queue (?kind=queue-backlog&broker=&queue=).
export default async function NewRunbookPage({ searchParams }: { searchParams: Search }) {
  const s = await searchParams;
  const alert = one(s.alert),
    kind = one(s.kind);
  const host = one(s.host),
    id = one(s.id),
    broker = one(s.broker),
    queue = one(s.queue);
  const request = alert
    ? { alertId: alert }
    : kind === "thread-leak" && host && id
      ? { kind: "thread-leak" as const, target: { host, id } }
      : kind === "queue-backlog" && broker && queue
        ? { kind: "queue-backlog" as const, target: { broker, queue } }
        : null;
  const describe = alert
    ? `Runbook for alert ${alert}.`
    : kind === "thread-leak"
      ? `Thread-leak runbook for ${host}/${id}.`
      : kind === "queue-backlog"
        ? `Queue-backlog runbook for ${broker}/${queue}.`
        : "";
  return (
    <>
      <PageTitle>Start a runbook</PageTitle>
      <StartRunbook request={request} describe={describe} />
    </>
  );
}
