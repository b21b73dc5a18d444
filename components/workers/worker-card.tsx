"use client";
import Link from "next/link";
import { CardField, CardFields } from "@/components/ui/data-table";
import { fmtAge, fmtInt } from "@/lib/format";
import { workerHref } from "@/lib/segments";
import type { WorkerSummary } from "@/server/schemas/queues";

// A worker on a phone: the workers table's key columns as labelled values, with the link to its actions.
export function WorkerCard({ w }: { w: WorkerSummary }) {
  return (
    <>
      <div className="flex items-center justify-between gap-2">
        <Link
          href={workerHref(w.broker, w.hostname)}
          title={w.hostname}
          className="min-w-0 truncate font-medium text-blue-700 hover:underline dark:text-blue-300"
        >
          {w.hostname}
        </Link>
        {w.alive ? (
          <span className="shrink-0 text-xs text-emerald-700 dark:text-emerald-300">● alive</span>
        ) : (
          <span className="shrink-0 text-xs font-semibold text-red-700 dark:text-red-300">✕ gone</span>
        )}
      </div>
      <CardFields columns={4}>
        <CardField label="Broker">{w.broker}</CardField>
        <CardField label="Seen">{fmtAge(w.lastSeen)}</CardField>
        <CardField label="Pool">{w.pool ?? "—"}</CardField>
        <CardField label="Conc.">{fmtInt(w.concurrency)}</CardField>
        <CardField label="Active">{fmtInt(w.active)}</CardField>
        <CardField label="Reserved">{fmtInt(w.reserved)}</CardField>
        <CardField label="Scheduled">{fmtInt(w.scheduled)}</CardField>
        <CardField label="Via">{w.via}</CardField>
        <CardField label="Queues" span="full">
          <span className="break-words">{w.queues.join(", ") || "—"}</span>
        </CardField>
      </CardFields>
      <Link
        href={workerHref(w.broker, w.hostname)}
        className="mt-2 inline-block rounded border border-zinc-300 px-2 py-0.5 text-xs dark:border-zinc-700"
      >
        Actions
      </Link>
    </>
  );
}
