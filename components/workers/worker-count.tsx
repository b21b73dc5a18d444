"use client";
import Link from "next/link";
import { useWorkers } from "@/components/hooks/use-workers";
import { Panel } from "@/components/ui/panel";
import { QueryFallback } from "@/components/ui/query-state";
import { fmtAge, fmtInt } from "@/lib/format";

// Overview: how many workers are alive, and which ones went quiet.
export function WorkerCount() {
  const query = useWorkers();
  const data = query.data;
  if (!data)
    return (
      <Panel title="Workers">
        <QueryFallback query={query} what="workers" />
      </Panel>
    );
  const alive = data.workers.filter((w) => w.alive);
  const gone = data.workers.filter((w) => !w.alive);
  return (
    <Panel
      title={
        <Link href="/workers" className="hover:underline">
          Workers
        </Link>
      }
      testId="overview-workers"
    >
      <Link href="/workers" className="block" data-testid="overview-worker-count">
        <span className="text-2xl font-semibold tabular-nums">{fmtInt(alive.length)}</span>{" "}
        <span className="text-sm text-zinc-500">alive</span>
        {gone.length > 0 && (
          <span className="ml-3 text-sm font-semibold text-red-700 dark:text-red-300">{fmtInt(gone.length)} gone</span>
        )}
      </Link>
      {gone.length > 0 && (
        <ul className="mt-2 text-xs text-zinc-500">
          {gone.slice(0, 5).map((w) => (
            <li key={`${w.broker}/${w.hostname}`} className="break-all">
              {w.hostname} — last seen {fmtAge(w.lastSeen)}
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}
