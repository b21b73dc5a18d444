"use client";
import { useThreads } from "@/components/hooks/use-threads";
import { CellText, DataTable, type Column } from "@/components/ui/data-table";
import { Panel } from "@/components/ui/panel";
import { QueryFallback, StaleNote } from "@/components/ui/query-state";
import { fmtAge, fmtClock, fmtInt } from "@/lib/format";
import type { LogSignature, ThreadDiagnosis, ThreadGroup, ThreadProcess } from "@/server/schemas/containers";

const MAX_PROCESSES = 50;
const mono = (v: string) => <span className="font-mono text-xs">{v}</span>;

const GROUP_COLUMNS: Column<ThreadGroup>[] = [
  { key: "state", header: "State", width: 64, cell: (g) => mono(g.state) },
  { key: "wchan", header: "wchan", width: 170, wrap: true, cell: (g) => mono(g.wchan || "—") },
  { key: "syscall", header: "Syscall", width: 130, wrap: true, cell: (g) => mono(g.syscall ?? "—") },
  { key: "count", header: "Count", width: 80, align: "right", cell: (g) => fmtInt(g.count) },
];

const PROCESS_COLUMNS: Column<ThreadProcess>[] = [
  { key: "pid", header: "PID", width: 72, align: "right", cell: (p) => p.pid },
  {
    key: "command",
    header: "Command",
    width: 260,
    cell: (p) => <CellText value={p.command} mono />,
  },
  { key: "threads", header: "Threads", width: 80, align: "right", cell: (p) => fmtInt(p.threads) },
];

const SIGNATURE_COLUMNS: Column<LogSignature>[] = [
  { key: "signature", header: "Signature", width: 260, wrap: true, cell: (s) => mono(s.signature) },
  { key: "count", header: "Count", width: 70, align: "right", cell: (s) => fmtInt(s.count) },
  {
    key: "first",
    header: "First seen",
    width: 110,
    cell: (s) => <span className="text-xs">{fmtTime(s.firstSeen)}</span>,
  },
  { key: "last", header: "Last seen", width: 110, cell: (s) => <span className="text-xs">{fmtTime(s.lastSeen)}</span> },
  {
    key: "sample",
    header: "Sample",
    width: 360,
    wrap: true,
    cell: (s) => <span className="font-mono text-xs text-zinc-600 dark:text-zinc-400">{s.sample}</span>,
  },
];

// A phone gets one card per signature: five columns do not fit 390 px without scrolling sideways.
function SignatureCard(s: LogSignature) {
  return (
    <div className="text-xs">
      <div className="flex items-baseline justify-between gap-2">
        <span className="font-mono break-all">{s.signature}</span>
        <span className="shrink-0 tabular-nums">{fmtInt(s.count)}×</span>
      </div>
      <div className="text-zinc-500">
        {fmtTime(s.firstSeen)} → {fmtTime(s.lastSeen)}
      </div>
      <div className="mt-0.5 font-mono break-all text-zinc-600 dark:text-zinc-400">{s.sample}</div>
    </div>
  );
}

// Why the threads pile up: who owns them, where they sleep, what they were calling, what the logs say.
export function Diagnosis({ host, id }: { host: string; id: string }) {
  const query = useThreads(host, id);
  const { error } = query;
  const data = query.data;
  if (!data) {
    return (
      <Panel title="Diagnosis">
        <QueryFallback query={query} what="the thread diagnosis" loading="threads" />
      </Panel>
    );
  }
  return (
    <Panel
      title="Diagnosis"
      aside={
        <span className="text-xs text-zinc-500 tabular-nums">
          <span data-testid="thread-total">{fmtInt(data.totalThreads)}</span> threads · zombies {fmtInt(data.zombies)} ·
          via {data.source} · {fmtAge(data.takenAt)}
        </span>
      }
    >
      <StaleNote error={error} />
      <ThreadDiagnosisView data={data} />
    </Panel>
  );
}

/**
 * The thread diagnosis, drawn the same wherever it appears (the container page, the thread-leak runbook): reading
 * errors, zombies, thread groups by state, wchan and syscall, dominant thread names, processes by threads, and log
 * signatures. `top` cuts each list for a compact view (the runbook), saying how many it left out.
 */
export function ThreadDiagnosisView({ data, top }: { data: ThreadDiagnosis; top?: number }) {
  const processes = [...data.processes].sort((a, b) => b.threads - a.threads);
  const groups = [...data.groups].sort((a, b) => b.count - a.count);
  const maxProcesses = Math.min(top ?? MAX_PROCESSES, MAX_PROCESSES);
  const shownGroups = top ? groups.slice(0, top) : groups;
  const signatures = top ? data.logSignatures.slice(0, top) : data.logSignatures;
  return (
    <>
      {data.errors.length > 0 && (
        <ul className="mb-3 list-disc pl-5 text-xs text-amber-800 dark:text-amber-300">
          {data.errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      )}
      {data.zombies > 0 && (
        <p className="mb-3 text-sm font-medium text-red-700 dark:text-red-300" data-testid="zombies">
          {fmtInt(data.zombies)} zombie processes: a parent is not reaping its children.
        </p>
      )}
      <div className="grid gap-4 lg:grid-cols-2">
        <div className="min-w-0">
          <h3 className="mb-1 text-xs font-semibold text-zinc-500 uppercase">
            Thread groups{shownGroups.length < groups.length ? ` (top ${shownGroups.length} of ${groups.length})` : ""}
          </h3>
          <DataTable
            rows={shownGroups}
            columns={GROUP_COLUMNS}
            caption="Threads grouped by state, wchan and syscall"
            rowKey={(g) => `${g.state}|${g.wchan}|${g.syscall ?? ""}`}
            testId="thread-groups"
            maxHeightClass="max-h-80"
          />
          <h3 className="mt-4 mb-1 text-xs font-semibold text-zinc-500 uppercase">Dominant thread names</h3>
          <ul className="flex flex-wrap gap-1.5" data-testid="thread-names">
            {(top ? data.names.slice(0, top) : data.names).map((n) => (
              <li
                key={n.comm}
                className="rounded border border-zinc-300 px-1.5 py-0.5 font-mono text-xs dark:border-zinc-700"
              >
                {n.comm} <span className="tabular-nums text-zinc-500">×{fmtInt(n.count)}</span>
              </li>
            ))}
          </ul>
        </div>
        <div className="min-w-0">
          <h3 className="mb-1 text-xs font-semibold text-zinc-500 uppercase">
            Processes{processes.length > maxProcesses ? ` (top ${maxProcesses} of ${processes.length})` : ""}
          </h3>
          <DataTable
            rows={processes.slice(0, maxProcesses)}
            columns={PROCESS_COLUMNS}
            caption="Processes by thread count"
            rowKey={(p) => String(p.pid)}
            testId="processes"
            maxHeightClass="max-h-80"
          />
        </div>
      </div>
      <h3 className="mt-4 mb-1 text-xs font-semibold text-zinc-500 uppercase">Log signatures</h3>
      {signatures.length === 0 ? (
        <p className="text-sm text-zinc-500">No repeated error lines in the recent logs.</p>
      ) : (
        <DataTable
          rows={signatures}
          columns={SIGNATURE_COLUMNS}
          caption="Repeated error lines in the recent logs"
          rowKey={(s) => s.signature}
          testId="log-signatures"
          card={SignatureCard}
        />
      )}
    </>
  );
}

function fmtTime(iso: string | null): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : fmtClock(d);
}
