"use client";
import { useThreads } from "@/components/hooks/use-threads";
import { Panel } from "@/components/ui/panel";
import { QueryFallback, StaleNote } from "@/components/ui/query-state";
import { fmtAge, fmtClock, fmtInt } from "@/lib/format";
import type { ThreadDiagnosis } from "@/server/schemas/containers";

const th = "py-1 pr-3 text-left text-xs font-medium text-zinc-500";
const thNum = "py-1 pl-3 text-right text-xs font-medium text-zinc-500";
const row = "border-t border-zinc-200 dark:border-zinc-800";
const MAX_PROCESSES = 50;

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
          <div className="max-h-80 overflow-auto">
            <table className="w-full text-sm" data-testid="thread-groups">
              <thead>
                <tr>
                  <th scope="col" className={th}>
                    State
                  </th>
                  <th scope="col" className={th}>
                    wchan
                  </th>
                  <th scope="col" className={th}>
                    Syscall
                  </th>
                  <th scope="col" className={thNum}>
                    Count
                  </th>
                </tr>
              </thead>
              <tbody>
                {shownGroups.map((g) => (
                  <tr key={`${g.state}|${g.wchan}|${g.syscall ?? ""}`} className={row}>
                    <td className="py-1 pr-3 font-mono text-xs">{g.state}</td>
                    <td className="py-1 pr-3 font-mono text-xs break-all">{g.wchan || "—"}</td>
                    <td className="py-1 pr-3 font-mono text-xs break-all">{g.syscall ?? "—"}</td>
                    <td className="py-1 pl-3 text-right tabular-nums">{fmtInt(g.count)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
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
          <div className="max-h-80 overflow-auto">
            <table className="w-full table-fixed text-sm" data-testid="processes">
              <thead>
                <tr>
                  <th scope="col" className={`w-16 ${thNum}`}>
                    PID
                  </th>
                  <th scope="col" className="py-1 pl-3 text-left text-xs font-medium text-zinc-500">
                    Command
                  </th>
                  <th scope="col" className={`w-20 ${thNum}`}>
                    Threads
                  </th>
                </tr>
              </thead>
              <tbody>
                {processes.slice(0, maxProcesses).map((p) => (
                  <tr key={p.pid} className={row}>
                    <td className="py-1 pl-3 text-right tabular-nums">{p.pid}</td>
                    <td className="truncate py-1 pl-3 font-mono text-xs" title={p.command}>
                      {p.command}
                    </td>
                    <td className="py-1 pl-3 text-right tabular-nums">{fmtInt(p.threads)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      </div>
      <h3 className="mt-4 mb-1 text-xs font-semibold text-zinc-500 uppercase">Log signatures</h3>
      {signatures.length === 0 ? (
        <p className="text-sm text-zinc-500">No repeated error lines in the recent logs.</p>
      ) : (
        <>
          {/* A phone gets one card per signature: five columns do not fit 390 px without scrolling sideways. */}
          <ul className="divide-y divide-zinc-200 text-xs md:hidden dark:divide-zinc-800">
            {signatures.map((s) => (
              <li key={s.signature} className="py-2">
                <div className="flex items-baseline justify-between gap-2">
                  <span className="font-mono break-all">{s.signature}</span>
                  <span className="shrink-0 tabular-nums">{fmtInt(s.count)}×</span>
                </div>
                <div className="text-zinc-500">
                  {fmtTime(s.firstSeen)} → {fmtTime(s.lastSeen)}
                </div>
                <div className="mt-0.5 font-mono break-all text-zinc-600 dark:text-zinc-400">{s.sample}</div>
              </li>
            ))}
          </ul>
          <div className="hidden overflow-x-auto md:block">
            <table className="w-full min-w-[720px] text-sm" data-testid="log-signatures">
              <thead>
                <tr>
                  <th scope="col" className={th}>
                    Signature
                  </th>
                  <th scope="col" className={thNum}>
                    Count
                  </th>
                  <th scope="col" className={th + " pl-3"}>
                    First seen
                  </th>
                  <th scope="col" className={th}>
                    Last seen
                  </th>
                  <th scope="col" className={th}>
                    Sample
                  </th>
                </tr>
              </thead>
              <tbody>
                {signatures.map((s) => (
                  <tr key={s.signature} className={`${row} align-top`}>
                    <td className="py-1 pr-3 font-mono text-xs break-all">{s.signature}</td>
                    <td className="py-1 pl-3 text-right tabular-nums">{fmtInt(s.count)}</td>
                    <td className="py-1 pr-3 pl-3 text-xs whitespace-nowrap">{fmtTime(s.firstSeen)}</td>
                    <td className="py-1 pr-3 text-xs whitespace-nowrap">{fmtTime(s.lastSeen)}</td>
                    <td className="max-w-[28rem] py-1 font-mono text-xs break-all text-zinc-600 dark:text-zinc-400">
                      {s.sample}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}

function fmtTime(iso: string | null): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : fmtClock(d);
}
