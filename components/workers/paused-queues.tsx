"use client";
import Link from "next/link";
import { fmtSince, plural } from "@/lib/format";
import { queueHref } from "@/lib/segments";
import type { QueuePause } from "@/server/schemas/queues";

// The workers page's line for queues paused from the console: which workers were told to stop consuming them, by
// whom, for how long. Resume is on the queue's page.
export function PausedQueues({ pauses }: { pauses: QueuePause[] }) {
  if (pauses.length === 0) return null;
  return (
    <section
      role="status"
      aria-label="Paused queues"
      data-testid="paused-queues"
      className="rounded-md border border-warn/60 bg-warn/10 p-3 text-sm text-amber-900 dark:text-amber-100"
    >
      <h2 className="font-semibold">{plural(pauses.length, "queue")} paused from the console</h2>
      <ul className="mt-1 space-y-1">
        {pauses.map((p) => (
          <li key={`${p.broker}/${p.queue}`} data-testid={`paused-queue-${p.queue}`}>
            <Link href={queueHref(p.broker, p.queue)} className="font-medium underline">
              {p.queue}
            </Link>{" "}
            on {p.broker}: paused by {p.by} for {fmtSince(p.since)} ({p.reason}).{" "}
            {p.workers.length
              ? `${plural(p.workers.length, "worker")} told to stop consuming it: ${p.workers.join(", ")}.`
              : "No worker consumed it when it was paused."}
          </li>
        ))}
      </ul>
    </section>
  );
}
