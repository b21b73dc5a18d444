"use client";
import Link from "next/link";
import { LoadError, Loading } from "@/components/ui/query-state";
import { useRunbooks } from "./use-runbook";

// Every run, newest activity first.
export function RunbooksList() {
  const q = useRunbooks();
  if (!q.data)
    return q.error ? (
      <LoadError error={q.error} what="runbooks" onRetry={() => void q.refetch()} />
    ) : (
      <Loading what="runbooks" />
    );
  if (q.data.runs.length === 0)
    return (
      <p className="text-sm text-zinc-500">
        No runbook has been started. Open one from an alert, or from a container or queue.
      </p>
    );
  return (
    <table className="w-full text-sm">
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
        {q.data.runs.map((r) => (
          <tr key={r.id} className="border-t border-zinc-200 dark:border-zinc-800">
            <td>
              <Link className="hover:underline" href={`/runbooks/${r.id}`}>
                {r.kind}
              </Link>
            </td>
            <td className="font-mono text-xs">{r.targetLabel}</td>
            <td>{r.status}</td>
            <td>{r.verifyState ?? "—"}</td>
            <td className="text-xs">
              {new Date(r.createdAt).toLocaleString()} by {r.createdBy}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
