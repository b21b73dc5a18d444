"use client";
import Link from "next/link";
import { QueryFallback } from "@/components/ui/query-state";
import { fmtClock } from "@/lib/format";
import { useRunbooks } from "./use-runbook";

// Every run, newest activity first.
export function RunbooksList() {
  const q = useRunbooks();
  if (!q.data) return <QueryFallback query={q} what="runbooks" />;
  if (q.data.runs.length === 0)
    return (
      <p className="text-sm text-zinc-500">
        No runbook has been started. Open one from an alert, or from a container or queue.
      </p>
    );
  const runs = q.data.runs;
  const started = (r: (typeof runs)[number]) => `${fmtClock(r.createdAt)} by ${r.createdBy}`;
  return (
    <>
      {/* A phone gets one card per run: target labels (container names, broker/queue) are too long for five columns. */}
      <ul className="space-y-2 md:hidden" data-testid="runbooks-cards">
        {runs.map((r) => (
          <li key={r.id} className="rounded border border-zinc-200 p-2 text-sm dark:border-zinc-800">
            <div className="flex flex-wrap items-baseline justify-between gap-2">
              <Link className="font-medium hover:underline" href={`/runbooks/${r.id}`}>
                {r.kind}
              </Link>
              <span className="text-xs">
                {r.status} · verify {r.verifyState ?? "—"}
              </span>
            </div>
            <div className="font-mono text-xs break-all">{r.targetLabel}</div>
            <div className="text-xs text-zinc-500">{started(r)}</div>
          </li>
        ))}
      </ul>
      <div className="hidden overflow-x-auto md:block">
        <table className="w-full text-sm" data-testid="runbooks-table">
          <thead className="text-left text-xs text-zinc-500">
            <tr>
              <th>Runbook</th>
              <th>Target</th>
              <th>Status</th>
              <th>Verify</th>
              <th>Started</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.id} className="border-t border-zinc-200 dark:border-zinc-800">
                <td>
                  <Link className="hover:underline" href={`/runbooks/${r.id}`}>
                    {r.kind}
                  </Link>
                </td>
                <td className="font-mono text-xs break-all">{r.targetLabel}</td>
                <td>{r.status}</td>
                <td>{r.verifyState ?? "—"}</td>
                <td className="text-xs">{started(r)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
