"use client";
import { CgroupChain } from "@/components/containers/cgroup-chain";
import { useThreads } from "@/components/hooks/use-threads";
import { fmtInt } from "@/lib/format";
import type { ThreadLeakContext } from "@/server/schemas/runbooks";
import { Copyable } from "./facts";

// Diagnose: which process holds the threads, what they are blocked on, the log signatures, and where the limit
// comes from, with host-side commands (to copy; the console never runs them) when the cap is inherited.
export function ThreadDiagnose({ host, id, ctx }: { host: string; id: string; ctx: ThreadLeakContext | undefined }) {
  const threads = useThreads(host, id);
  const t = threads.data;
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <div className="min-w-0 space-y-3 text-sm">
        <h3 className="font-medium">Threads {t ? `(${fmtInt(t.totalThreads)} via ${t.source})` : ""}</h3>
        {!t ? (
          <p className="text-xs text-zinc-500">
            {threads.error ? (threads.error as Error).message : "Reading threads…"}
          </p>
        ) : (
          <>
            <table className="w-full text-xs" data-testid="diagnose-processes">
              <thead className="text-left text-zinc-500">
                <tr>
                  <th>pid</th>
                  <th>command</th>
                  <th>threads</th>
                </tr>
              </thead>
              <tbody>
                {t.processes.slice(0, 5).map((p) => (
                  <tr key={p.pid}>
                    <td>{p.pid}</td>
                    <td className="font-mono">{p.command}</td>
                    <td>{p.threads}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <table className="w-full text-xs" data-testid="diagnose-groups">
              <thead className="text-left text-zinc-500">
                <tr>
                  <th>state</th>
                  <th>blocked on (wchan)</th>
                  <th>syscall</th>
                  <th>count</th>
                </tr>
              </thead>
              <tbody>
                {t.groups.slice(0, 6).map((g) => (
                  <tr key={`${g.state}-${g.wchan}-${g.syscall}`}>
                    <td>{g.state}</td>
                    <td className="font-mono">{g.wchan}</td>
                    <td>{g.syscall ?? "—"}</td>
                    <td>{g.count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {t.names.length > 0 && (
              <p className="text-xs">
                Thread names:{" "}
                {t.names
                  .slice(0, 5)
                  .map((n) => `${n.comm} ×${n.count}`)
                  .join(", ")}
              </p>
            )}
            <div data-testid="diagnose-logs">
              <h4 className="text-xs font-medium">Log signatures</h4>
              {t.logSignatures.length === 0 ? (
                <p className="text-xs text-zinc-500">No known signature in the recent log.</p>
              ) : (
                <ul className="text-xs">
                  {t.logSignatures.slice(0, 5).map((s) => (
                    <li key={s.signature}>
                      <span className="font-medium">{s.signature}</span> ×{s.count}:{" "}
                      <span className="font-mono">{s.sample.slice(0, 140)}</span>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          </>
        )}
      </div>
      <div className="min-w-0 space-y-2 text-sm" data-testid="diagnose-limit">
        <h3 className="font-medium">
          Where the limit comes from{" "}
          {ctx?.advice?.inherited && (
            <span
              className="ml-1 rounded border border-amber-500/60 px-1 text-xs text-amber-700 dark:text-amber-300"
              data-testid="diagnose-inherited"
            >
              inherited
            </span>
          )}
        </h3>
        {!ctx ? (
          <p className="text-xs text-zinc-500">Reading the cgroup chain…</p>
        ) : !ctx.cgroup ? (
          <p className="text-xs text-zinc-500">The host&apos;s cgroup files are not readable from the console.</p>
        ) : (
          <>
            <CgroupChain levels={ctx.cgroup.levels} bindingPath={ctx.pids?.limitPath} testId="diagnose-levels" />
            <ul className="list-disc pl-4 text-xs" data-testid="diagnose-explanation">
              {ctx.advice?.explanation.map((e) => (
                <li key={e}>{e}</li>
              ))}
            </ul>
            {ctx.advice?.commands.length ? (
              <div className="space-y-2" data-testid="host-commands">
                <p className="text-xs text-zinc-500">
                  Host-side commands, filled in for this container. Copy them to a shell on the host; the console never
                  runs commands on the host.
                </p>
                {ctx.advice.commands.map((c) => (
                  <div key={c.command}>
                    <p className="text-xs font-medium">{c.title}</p>
                    <Copyable text={c.command} testId="host-command" />
                    <p className="text-xs text-zinc-500">{c.note}</p>
                  </div>
                ))}
              </div>
            ) : null}
          </>
        )}
      </div>
    </div>
  );
}
