"use client";
import { ActionButton } from "@/components/actions/action-dialog";
import { fmtSince, plural } from "@/lib/format";
import type { QueuePause } from "@/server/schemas/queues";

// A queue paused from the console, drawn one way wherever it appears: a short badge in lists, a banner (with the
// resume button) on the queue page. "paused by alice · 12m": who paused it and for how long.

function pausedLine(p: QueuePause, now = Date.now()): string {
  return `paused by ${p.by} · ${fmtSince(p.since, now)}`;
}

export function PausedBadge({ pause, testId }: { pause: QueuePause; testId?: string }) {
  return (
    <span
      className="rounded border border-warn/60 bg-warn/10 px-1.5 text-xs whitespace-nowrap text-amber-800 dark:text-amber-200"
      title={`Paused since ${new Date(pause.since).toLocaleString()}: ${pause.reason}`}
      data-testid={testId}
    >
      {pausedLine(pause)}
    </span>
  );
}

export function PausedBanner({ broker, queue, pause }: { broker: string; queue: string; pause: QueuePause }) {
  return (
    <section
      role="status"
      aria-label="Queue paused"
      data-testid="paused-banner"
      className="rounded-md border border-warn/60 bg-warn/10 p-3 text-sm text-amber-900 dark:text-amber-100"
    >
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="font-semibold">
          Paused by {pause.by} for {fmtSince(pause.since)}: no worker consumes {queue}; messages wait and are kept.
        </p>
        <ActionButton
          action="queue.resume"
          target={{ broker, queue }}
          label="Resume"
          testId="resume-queue"
          fields={[
            {
              name: "workers",
              label: "Also start on (hostnames, optional)",
              type: "text",
              help: "The workers the pause stopped are started again in any case.",
            },
          ]}
        />
      </div>
      <p className="mt-1 text-xs">
        Reason: {pause.reason} · since {new Date(pause.since).toLocaleString()} ·{" "}
        {pause.workers.length
          ? `${plural(pause.workers.length, "worker")} told to stop: ${pause.workers.join(", ")}`
          : "no worker consumed it when it was paused"}
        . A worker that starts consuming it is told to stop too, until it is resumed.
      </p>
    </section>
  );
}
