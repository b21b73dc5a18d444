"use client";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { CopyButton } from "@/components/ui/middle-truncate";
import { Panel } from "@/components/ui/panel";
import { QueryView } from "@/components/ui/query-state";
import { Time } from "@/components/ui/time";
import { getJson } from "@/lib/api";
import type { AuditEntryResponse } from "@/server/schemas/audit";

// One audit entry, whole (the audit page with ?id=): who did what to which target, the preview they confirmed, the
// values before and after, the verify result, and the chain fields that make the line tamper-evident.
const SECTIONS: { key: string; from: "intent" | "outcome"; label: string }[] = [
  { key: "params", from: "intent", label: "Parameters" },
  { key: "preview", from: "intent", label: "Preview the operator confirmed" },
  { key: "before", from: "outcome", label: "Before" },
  { key: "after", from: "outcome", label: "After" },
  { key: "verify", from: "outcome", label: "Verify" },
];

export function AuditEntry({ id, closeHref }: { id: string; closeHref: string }) {
  const q = useQuery({
    queryKey: ["audit-entry", id],
    queryFn: () => getJson<AuditEntryResponse>(`/api/audit/${encodeURIComponent(id)}`),
  });
  return (
    <Panel
      title="Audit entry"
      testId="audit-entry"
      aside={
        <Link href={closeHref} className="text-xs underline" data-testid="audit-entry-close">
          Close
        </Link>
      }
    >
      <QueryView query={q} what="the audit entry" loading="audit entry">
        {(data) => <EntryBody data={data} />}
      </QueryView>
    </Panel>
  );
}

function EntryBody({ data }: { data: AuditEntryResponse }) {
  const { entry, intent, outcome } = data;
  const chain = [intent, outcome].filter((e): e is Record<string, unknown> => e !== null);
  return (
    <div className="space-y-3 text-sm">
      <dl className="grid grid-cols-2 gap-x-4 gap-y-1 md:grid-cols-4">
        <Fact label="Time">
          <Time ts={entry.ts} />
        </Fact>
        <Fact label="Actor">
          {entry.actor}
          {entry.role ? ` (${entry.role})` : ""}
        </Fact>
        <Fact label="Action">{entry.action}</Fact>
        <Fact label="Outcome">{entry.outcome}</Fact>
        <Fact label="Target">{entry.target ?? "—"}</Fact>
        <Fact label="Reason">{entry.reason ?? "—"}</Fact>
        <Fact label="Took">{entry.durationMs === null ? "—" : `${entry.durationMs} ms`}</Fact>
        <Fact label="From">{entry.sourceIp ?? "—"}</Fact>
      </dl>
      {entry.error && (
        <p className="rounded border border-red-600/50 bg-red-600/10 p-2 break-words" data-testid="audit-entry-error">
          {entry.error}
        </p>
      )}
      {SECTIONS.map(({ key, from, label }) => {
        const value = (from === "intent" ? intent : outcome)?.[key];
        if (value === undefined || value === null) return null;
        return <Json key={key} label={label} value={value} testId={`audit-entry-${key}`} />;
      })}
      {chain.length > 0 && (
        <Json
          label="Chain"
          testId="audit-entry-chain"
          value={chain.map((e) => ({
            kind: e.kind,
            seq: e.seq,
            instance: e.instance,
            prevHash: e.prevHash,
            hmac: e.hmac,
          }))}
        />
      )}
      {outcome === null && entry.kind === "action" && (
        <p className="text-amber-700 dark:text-amber-400">No outcome recorded yet: the action is running or stopped.</p>
      )}
    </div>
  );
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-zinc-500">{label}</dt>
      <dd className="break-words">{children}</dd>
    </div>
  );
}

function Json({ label, value, testId }: { label: string; value: unknown; testId: string }) {
  const text = JSON.stringify(value, null, 2);
  return (
    <section>
      <div className="mb-1 flex items-center justify-between gap-2">
        <h3 className="text-xs font-semibold text-zinc-500 uppercase">{label}</h3>
        <CopyButton value={text} size="md" />
      </div>
      <pre
        className="max-h-64 overflow-auto rounded bg-zinc-100 p-2 font-mono text-xs break-all whitespace-pre-wrap dark:bg-zinc-900"
        data-testid={testId}
      >
        {text}
      </pre>
    </section>
  );
}
