"use client";
import { useLiveQuery } from "@/components/hooks/use-live-query";
import { useState } from "react";
import { getJson } from "@/lib/api";

interface Row {
  id: string;
  kind: string;
  ts: string;
  actor: string;
  role: string | null;
  sourceIp: string | null;
  action: string;
  target: string | null;
  params: unknown;
  reason: string | null;
  outcome: string;
  durationMs: number | null;
  error: string | null;
}
interface VerifyResult {
  ok: boolean;
  entries: number;
  firstBadSeq?: number;
  line?: number;
  problem?: string;
  message: string;
}

const FIELDS = ["actor", "action", "target", "outcome"] as const;
const input = "rounded border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-950";

function outcomeClass(o: string): string {
  if (o === "succeeded" || o === "login") return "text-emerald-600 dark:text-emerald-400";
  if (o === "unknown" || o === "unverified") return "text-amber-600 dark:text-amber-400";
  if (o === "failed" || o === "denied" || o === "login-failed") return "text-red-600 dark:text-red-400";
  return "";
}

export function AuditView() {
  const [filters, setFilters] = useState<Record<string, string>>({});
  const qs = new URLSearchParams(Object.entries(filters).filter(([, v]) => v)).toString();
  const rows = useLiveQuery({
    queryKey: ["audit", qs],
    queryFn: () => getJson<{ entries: Row[]; truncatedScan: boolean }>(`/api/audit?${qs}`),
    refetchInterval: 10_000,
  });
  const verify = useLiveQuery({
    queryKey: ["audit-verify"],
    queryFn: () => getJson<VerifyResult>("/api/audit/verify"),
    enabled: false,
  });

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-xl font-semibold">Audit log</h1>
        <div className="flex flex-wrap gap-2 text-sm">
          <button
            type="button"
            className="rounded border border-zinc-300 px-3 py-1 dark:border-zinc-700"
            onClick={() => void verify.refetch()}
          >
            Verify chain
          </button>
          <a
            className="rounded border border-zinc-300 px-3 py-1 dark:border-zinc-700"
            href={`/api/audit/export?format=csv&${qs}`}
          >
            Export CSV
          </a>
          <a
            className="rounded border border-zinc-300 px-3 py-1 dark:border-zinc-700"
            href={`/api/audit/export?format=json&${qs}`}
          >
            Export JSON
          </a>
        </div>
      </div>
      {verify.data && (
        <p
          role="status"
          data-testid="audit-verify"
          className={`rounded border p-2 text-sm ${verify.data.ok ? "border-emerald-600/50" : "border-red-600/60 bg-red-600/10"}`}
        >
          {verify.data.ok
            ? "Chain intact"
            : `Chain broken at entry ${verify.data.firstBadSeq ?? "?"} (line ${verify.data.line ?? "?"}, ${verify.data.problem})`}
          : {verify.data.message} ({verify.data.entries} entries)
        </p>
      )}
      {verify.error && (
        <p role="alert" className="text-sm text-red-500">
          {verify.error.message}
        </p>
      )}
      <form
        className="flex flex-wrap gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          const next: Record<string, string> = {};
          for (const k of [...FIELDS, "from", "to"]) {
            const v = String(f.get(k) ?? "").trim();
            if (v) next[k] = k === "from" || k === "to" ? new Date(v).toISOString() : v;
          }
          setFilters(next);
        }}
      >
        {FIELDS.map((k) => (
          <input key={k} name={k} placeholder={k} aria-label={`Filter by ${k}`} className={input} />
        ))}
        <label className="text-sm">
          from <input type="datetime-local" name="from" className={input} />
        </label>
        <label className="text-sm">
          to <input type="datetime-local" name="to" className={input} />
        </label>
        <button className="rounded bg-blue-600 px-3 py-1 text-sm text-white">Filter</button>
      </form>
      {rows.error && (
        <p role="alert" className="text-sm text-red-500">
          {rows.error.message}
        </p>
      )}
      <div className="overflow-x-auto">
        <table className="w-full min-w-[900px] text-sm" data-testid="audit-table">
          <thead className="text-left text-zinc-500">
            <tr>
              <th className="py-1">Time (UTC)</th>
              <th>Actor</th>
              <th>Action</th>
              <th>Target</th>
              <th>Reason</th>
              <th>Outcome</th>
              <th className="text-right">ms</th>
              <th>Audit id</th>
            </tr>
          </thead>
          <tbody>
            {rows.data?.entries.map((r) => (
              <tr
                key={`${r.id}-${r.ts}`}
                className="border-t border-zinc-200 align-top dark:border-zinc-800"
                data-testid="audit-row"
              >
                <td className="py-1 font-mono text-xs whitespace-nowrap">{r.ts.replace("T", " ").slice(0, 19)}</td>
                <td>
                  {r.actor}
                  {r.role ? <span className="text-zinc-500"> ({r.role})</span> : null}
                </td>
                <td className="font-mono text-xs">{r.action}</td>
                <td className="max-w-56 truncate font-mono text-xs" title={r.target ?? ""}>
                  {r.target}
                </td>
                <td className="max-w-64 truncate" title={r.reason ?? ""}>
                  {r.reason}
                </td>
                <td className={outcomeClass(r.outcome)}>
                  {r.outcome}
                  {r.error ? `: ${r.error}` : ""}
                </td>
                <td className="text-right tabular-nums">{r.durationMs ?? ""}</td>
                <td className="font-mono text-xs">{r.id.slice(0, 8)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {rows.data?.entries.length === 0 && <p className="py-4 text-sm text-zinc-500">No entries match.</p>}
      </div>
    </div>
  );
}
