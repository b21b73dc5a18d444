"use client";
import { useLiveQuery } from "@/components/hooks/use-live-query";
import { useState } from "react";
import { CardField, CardFields, DataTable, type Column } from "@/components/ui/data-table";
import { plural } from "@/lib/format";
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

const utc = (ts: string) => ts.replace("T", " ").slice(0, 19);

function Outcome({ r }: { r: Row }) {
  return (
    <span className={outcomeClass(r.outcome)} title={r.error ?? undefined}>
      {r.outcome}
      {r.error ? `: ${r.error}` : ""}
    </span>
  );
}

// Fixed widths (the shared table's layout) that fit the 1,150 px a 1440 px screen leaves beside the sidebar.
const COLUMNS: Column<Row>[] = [
  {
    key: "ts",
    header: "Time (UTC)",
    width: 150,
    cell: (r) => <span className="font-mono text-xs">{utc(r.ts)}</span>,
  },
  {
    key: "actor",
    header: "Actor",
    width: 140,
    cell: (r) => (
      <span title={r.sourceIp ? `from ${r.sourceIp}` : undefined}>
        {r.actor}
        {r.role ? <span className="text-zinc-500"> ({r.role})</span> : null}
      </span>
    ),
  },
  {
    key: "action",
    header: "Action",
    width: 190,
    cell: (r) => (
      <span className="font-mono text-xs" title={r.action}>
        {r.action}
      </span>
    ),
  },
  {
    key: "target",
    header: "Target",
    width: 210,
    cell: (r) => (
      <span className="font-mono text-xs" title={r.target ?? ""}>
        {r.target}
      </span>
    ),
  },
  { key: "reason", header: "Reason", width: 190, cell: (r) => <span title={r.reason ?? ""}>{r.reason}</span> },
  { key: "outcome", header: "Outcome", width: 120, cell: (r) => <Outcome r={r} /> },
  { key: "ms", header: "ms", width: 60, align: "right", title: "Duration (ms)", cell: (r) => r.durationMs ?? "" },
  {
    key: "id",
    header: "Audit id",
    width: 90,
    cell: (r) => (
      <span className="font-mono text-xs" title={r.id}>
        {r.id.slice(0, 8)}
      </span>
    ),
  },
];

// An entry on a phone: when, who, what, on what, and how it ended; the reason and id below.
function AuditCard({ r }: { r: Row }) {
  return (
    <>
      <div className="flex items-baseline justify-between gap-2">
        <span className="min-w-0 truncate font-mono text-xs" title={r.action}>
          {r.action}
        </span>
        <span className="shrink-0 text-xs">
          <Outcome r={r} />
        </span>
      </div>
      <CardFields columns={3}>
        <CardField label="Time (UTC)" span={2}>
          <span className="font-mono">{utc(r.ts)}</span>
        </CardField>
        <CardField label="Actor">{r.actor}</CardField>
        <CardField label="Target" span="full">
          <span className="font-mono break-all">{r.target ?? "—"}</span>
        </CardField>
        {r.reason && (
          <CardField label="Reason" span="full">
            <span className="break-words">{r.reason}</span>
          </CardField>
        )}
        <CardField label="Audit id">
          <span className="font-mono">{r.id.slice(0, 8)}</span>
        </CardField>
        <CardField label="ms">{r.durationMs ?? "—"}</CardField>
      </CardFields>
    </>
  );
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
          : {verify.data.message} ({plural(verify.data.entries, "entry", "entries")})
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
      <DataTable
        rows={rows.data?.entries ?? []}
        columns={COLUMNS}
        caption="Audit log entries"
        rowKey={(r) => `${r.id}-${r.ts}`}
        rowTestId={() => "audit-row"}
        card={(r) => <AuditCard r={r} />}
        cardTestId={() => "audit-card"}
        empty={rows.data ? "No entries match." : "Loading…"}
      />
    </div>
  );
}
