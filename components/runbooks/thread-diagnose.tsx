"use client";
import { CgroupChain } from "@/components/containers/cgroup-chain";
import { ThreadDiagnosisView } from "@/components/containers/diagnosis";
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
    <div className="space-y-4">
      <section className="min-w-0 text-sm" data-testid="diagnose-threads">
        <h3 className="mb-2 font-medium">Threads {t ? `(${fmtInt(t.totalThreads)} via ${t.source})` : ""}</h3>
        {!t ? (
          <p className="text-xs text-zinc-500">
            {threads.error ? (threads.error as Error).message : "Reading threads…"}
          </p>
        ) : (
          <ThreadDiagnosisView data={t} top={6} />
        )}
      </section>
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
            <ul className="list-disc pl-4 text-xs [overflow-wrap:anywhere]" data-testid="diagnose-explanation">
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
