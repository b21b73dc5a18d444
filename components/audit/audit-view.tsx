"use client";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useLiveQuery } from "@/components/hooks/use-live-query";
import { CardField, CardFields, DataTable, type Column } from "@/components/ui/data-table";
import { getJson } from "@/lib/api";
import { plural } from "@/lib/format";
import { Time } from "@/components/ui/time";
import { AuditEntry } from "./audit-entry";
import type { AuditListResponse, AuditVerifyResponse } from "@/server/schemas/audit";
import {
  countText,
  filtersFromSearch,
  offsetFromSearch,
  searchFromFilters,
  targetHref,
  timeboxLabel,
  type AuditFilters,
  type AuditListRow as Row,
} from "./audit-rows";

// The text filters: actor and outcome match exactly, action and target are substrings in any case (the API's rules).
const FIELDS = [
  { key: "actor", label: "Actor", placeholder: "exact, e.g. ana" },
  { key: "action", label: "Action contains", placeholder: "e.g. pids or queue." },
  { key: "target", label: "Target contains", placeholder: "e.g. dify-worker or default/mail" },
  { key: "outcome", label: "Outcome", placeholder: "e.g. failed" },
] as const;
const PAGE = 100;
const input = "rounded border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-950";

function outcomeClass(o: string): string {
  if (o === "succeeded" || o === "login") return "text-emerald-600 dark:text-emerald-400";
  if (o === "unknown" || o === "unverified") return "text-amber-600 dark:text-amber-400";
  if (o === "failed" || o === "denied" || o === "login-failed") return "text-red-600 dark:text-red-400";
  return "";
}

/** An ISO timestamp as a datetime-local input's value, in the browser's zone. */
function localInput(iso: string | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

const BADGE: Record<string, string> = {
  raise: "border-amber-500/60 text-amber-700 dark:text-amber-300",
  revert: "border-sky-500/60 text-sky-700 dark:text-sky-300",
  keep: "border-emerald-500/60 text-emerald-700 dark:text-emerald-300",
};

/** The action, and under it what a pids change was in a time box: raise (with its duration), revert or keep. */
function Action({ r }: { r: Row }) {
  const box = timeboxLabel(r);
  return (
    <span className="flex min-w-0 flex-col items-start gap-0.5">
      <span className="max-w-full truncate font-mono text-xs" title={r.action}>
        {r.action}
      </span>
      {box && (
        <span
          data-testid="audit-timebox"
          data-kind={box.kind}
          className={`rounded border px-1 text-[11px] leading-4 ${BADGE[box.kind]}`}
          title={box.raisedIn ? `Reverts the raise recorded as ${box.raisedIn}` : undefined}
        >
          {box.text}
          {box.raisedIn ? ` of ${box.raisedIn.slice(0, 8)}` : ""}
        </span>
      )}
    </span>
  );
}

/** The target, a link to its page when it names a container, queue or worker. */
function Target({ r }: { r: Row }) {
  const href = targetHref(r);
  const title = r.targetId && r.targetId !== r.target ? `${r.target} (${r.targetId})` : (r.target ?? "");
  if (!href)
    return (
      <span className="font-mono text-xs break-all" title={title}>
        {r.target ?? "—"}
      </span>
    );
  return (
    <Link
      href={href}
      data-testid="audit-target-link"
      className="font-mono text-xs break-all text-blue-700 underline-offset-2 hover:underline dark:text-blue-400"
      title={title}
    >
      {r.target}
    </Link>
  );
}

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
    header: "Time",
    width: 150,
    cell: (r) => <Time ts={r.ts} className="text-xs tabular-nums" />,
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
    cell: (r) => <Action r={r} />,
  },
  {
    key: "target",
    header: "Target",
    width: 210,
    cell: (r) => <Target r={r} />,
  },
  { key: "reason", header: "Reason", width: 190, cell: (r) => <span title={r.reason ?? ""}>{r.reason}</span> },
  { key: "outcome", header: "Outcome", width: 120, cell: (r) => <Outcome r={r} /> },
  { key: "ms", header: "ms", width: 60, align: "right", title: "Duration (ms)", cell: (r) => r.durationMs ?? "" },
  {
    key: "id",
    header: "Audit id",
    width: 90,
    cell: (r) => <EntryLink id={r.id} />,
  },
];

// An entry on a phone: when, who, what, on what, and how it ended; the reason and id below.
/** The short id, linking to the entry whole (?id= filters to it and opens its panel). */
function EntryLink({ id }: { id: string }) {
  return (
    <Link
      href={`/audit?${searchFromFilters({ id })}`}
      className="font-mono text-xs underline decoration-dotted hover:decoration-solid"
      title={`Open entry ${id}`}
      data-testid="audit-entry-link"
    >
      {id.slice(0, 8)}
    </Link>
  );
}

function AuditCard({ r }: { r: Row }) {
  return (
    <>
      <div className="flex items-baseline justify-between gap-2">
        <Action r={r} />
        <span className="shrink-0 text-xs">
          <Outcome r={r} />
        </span>
      </div>
      <CardFields columns={3}>
        <CardField label="Time" span={2}>
          <Time ts={r.ts} className="tabular-nums" />
        </CardField>
        <CardField label="Actor">{r.actor}</CardField>
        <CardField label="Target" span="full">
          <Target r={r} />
        </CardField>
        {r.reason && (
          <CardField label="Reason" span="full">
            <span className="break-words">{r.reason}</span>
          </CardField>
        )}
        <CardField label="Audit id">
          <EntryLink id={r.id} />
        </CardField>
        <CardField label="ms">{r.durationMs ?? "—"}</CardField>
      </CardFields>
    </>
  );
}

export function AuditView() {
  // The filters and the page live in the URL (?action=pids&target=dify&offset=100), so a filtered view can be
  // shared and survives a reload; history.pushState updates useSearchParams, and Back returns to the previous filter.
  const params = useSearchParams();
  const filters = filtersFromSearch(params);
  const offset = offsetFromSearch(params);
  const qs = searchFromFilters(filters);
  const filtered = qs !== "";
  const go = (f: AuditFilters, off = 0) => {
    const next = searchFromFilters(f, off);
    window.history.pushState(null, "", next ? `?${next}` : window.location.pathname);
  };
  const rows = useLiveQuery({
    queryKey: ["audit", qs, offset],
    queryFn: () => {
      const api = new URLSearchParams(searchFromFilters(filters, offset));
      api.set("limit", String(PAGE));
      return getJson<AuditListResponse>(`/api/audit?${api}`);
    },
    refetchInterval: 10_000,
  });
  const verify = useLiveQuery({
    queryKey: ["audit-verify"],
    queryFn: () => getJson<AuditVerifyResponse>("/api/audit/verify"),
    refetchOnWindowFocus: false,
  });
  const shown = rows.data?.entries.length ?? 0;

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
      {verify.data && !verify.data.ok && (
        <p role="alert" className="rounded border border-red-600/60 bg-red-600/10 p-2 text-sm">
          Chain broken at entry {verify.data.firstBadSeq ?? "?"} (line {verify.data.line ?? "?"}, {verify.data.problem}
          ): {verify.data.message} ({plural(verify.data.entries, "entry", "entries")})
        </p>
      )}
      {verify.error && (
        <p role="alert" className="text-sm text-red-500">
          {verify.error.message}
        </p>
      )}
      {filters.id && (
        <AuditEntry id={filters.id} closeHref={`/audit?${searchFromFilters({ ...filters, id: undefined })}`} />
      )}
      <form
        key={qs}
        role="search"
        aria-label="Filter the audit log"
        className="flex flex-wrap items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          const next: Record<string, string> = {};
          for (const { key } of FIELDS) next[key] = String(f.get(key) ?? "");
          for (const k of ["from", "to"]) {
            const v = String(f.get(k) ?? "").trim();
            if (v && !Number.isNaN(new Date(v).getTime())) next[k] = new Date(v).toISOString();
          }
          go(filtersFromSearch(new URLSearchParams(next)));
        }}
      >
        {FIELDS.map(({ key, label, placeholder }) => (
          <label key={key} className="flex flex-col text-xs text-zinc-500">
            {label}
            <input
              name={key}
              defaultValue={filters[key] ?? ""}
              placeholder={placeholder}
              maxLength={key === "target" ? 500 : 200}
              data-testid={`audit-filter-${key}`}
              className={input}
            />
          </label>
        ))}
        <label className="flex flex-col text-xs text-zinc-500">
          From
          <input type="datetime-local" name="from" defaultValue={localInput(filters.from)} className={input} />
        </label>
        <label className="flex flex-col text-xs text-zinc-500">
          To
          <input type="datetime-local" name="to" defaultValue={localInput(filters.to)} className={input} />
        </label>
        <button className="rounded bg-blue-600 px-3 py-1 text-sm text-white" data-testid="audit-filter-apply">
          Filter
        </button>
        {filtered && (
          <button
            type="button"
            className="rounded border border-zinc-300 px-3 py-1 text-sm dark:border-zinc-700"
            onClick={() => go({})}
          >
            Clear
          </button>
        )}
      </form>
      <p className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm text-zinc-600 dark:text-zinc-400">
        <span data-testid="audit-count">{rows.data ? countText(shown, offset, PAGE, filtered) : "Loading…"}</span>
        {verify.data && (
          <span
            data-testid="audit-verify"
            data-ok={verify.data.ok}
            className={
              verify.data.ok ? "text-emerald-700 dark:text-emerald-400" : "font-medium text-red-600 dark:text-red-400"
            }
            title={verify.data.message}
          >
            {verify.data.ok
              ? `Chain intact: ${plural(verify.data.entries, "entry", "entries")}`
              : `Chain broken at entry ${verify.data.firstBadSeq ?? "?"}`}
          </span>
        )}
        {rows.data?.truncatedScan && (
          <span className="text-amber-700 dark:text-amber-400">
            The search stopped after 200,000 lines: narrow it with a time range to see older entries.
          </span>
        )}
      </p>
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
        empty={rows.data ? (filtered ? "No entries match the filter." : "No entries match.") : "Loading…"}
      />
      {(offset > 0 || shown === PAGE) && (
        <nav aria-label="Audit pages" className="flex gap-2 text-sm">
          {offset > 0 && (
            <button
              type="button"
              className="rounded border border-zinc-300 px-3 py-1 dark:border-zinc-700"
              onClick={() => go(filters, Math.max(0, offset - PAGE))}
            >
              ← Newer
            </button>
          )}
          {shown === PAGE && (
            <button
              type="button"
              className="rounded border border-zinc-300 px-3 py-1 dark:border-zinc-700"
              onClick={() => go(filters, offset + PAGE)}
            >
              Older →
            </button>
          )}
        </nav>
      )}
    </div>
  );
}
