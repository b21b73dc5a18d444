import { Fact, Panel } from "@/components/ui/panel";
import { fmtInt } from "@/lib/format";
import { NOT_VISIBLE_HELP, type CgroupDetail, type ContainerSummary } from "@/server/schemas/containers";
import { hiddenCapSentence, limitSourceLabel } from "./fleet";

const SOURCE_TEXT = {
  container: "the container's own pids.max",
  ancestor: "an ancestor cgroup",
  "systemd-default": "systemd's DefaultTasksMax on the scope",
  kernel: "the kernel (threads-max / pid_max)",
  none: "no cgroup level: only the kernel's host-wide threads-max / pid_max stops a leak",
  "not-visible": "not visible from here",
} as const;

// What really limits the container's pids: every level of the cgroup chain and the kernel ceilings.
export function LimitPanel({ container: c, cgroup }: { container: ContainerSummary; cgroup: CgroupDetail | null }) {
  const marker = limitSourceLabel(c.pids.limitSource);
  return (
    <Panel title="Limit" testId="limit-panel">
      {cgroup?.hiddenCap && (
        <p
          data-testid="hidden-cap"
          role="note"
          className="mb-3 rounded-md border border-amber-500/60 bg-amber-500/15 px-3 py-2 text-sm font-medium text-amber-900 dark:text-amber-200"
        >
          {hiddenCapSentence(c, cgroup)}
        </p>
      )}
      {c.pids.limitSource === "not-visible" && (
        <p
          data-testid="limit-not-visible"
          role="note"
          className="mb-3 rounded-md border border-amber-500/60 bg-amber-500/15 px-3 py-2 text-sm text-amber-900 dark:text-amber-200"
        >
          Limit not visible: {NOT_VISIBLE_HELP}
        </p>
      )}
      <dl>
        <Fact label="Effective limit" testId="effective-limit">
          {c.pids.effectiveLimit === null
            ? c.pids.limitSource === "not-visible"
              ? "unknown"
              : "none"
            : fmtInt(c.pids.effectiveLimit)}
          {marker && (
            <span className="ml-2 rounded border border-amber-500/50 px-1.5 text-xs text-amber-800 dark:text-amber-300">
              {marker}
            </span>
          )}
        </Fact>
        <Fact label="Set by">{SOURCE_TEXT[c.pids.limitSource]}</Fact>
        <Fact label="cgroup path">
          <code className="font-mono text-xs">{c.pids.limitPath ?? "—"}</code>
        </Fact>
        <Fact label="Own limit (Docker PidsLimit)">{c.pids.limit === null ? "unlimited" : fmtInt(c.pids.limit)}</Fact>
        <Fact label="Peak / forks refused">
          {fmtInt(c.pids.peak)} / {fmtInt(c.pids.refusedTotal)}
        </Fact>
        {cgroup?.systemdUnit && (
          <Fact label="systemd unit">
            <code className="font-mono text-xs">{cgroup.systemdUnit}</code>
          </Fact>
        )}
      </dl>
      {cgroup ? (
        <>
          <h3 className="mt-4 mb-1 text-xs font-semibold text-zinc-500 uppercase">cgroup chain (container first)</h3>
          <div className="overflow-x-auto">
            <table className="w-full min-w-[520px] text-sm" data-testid="cgroup-levels">
              <thead className="text-xs text-zinc-500">
                <tr>
                  <th scope="col" className="py-1 text-left font-medium">
                    Path
                  </th>
                  <th scope="col" className="text-right font-medium">
                    pids.max
                  </th>
                  <th scope="col" className="text-right font-medium">
                    current
                  </th>
                  <th scope="col" className="text-right font-medium">
                    headroom
                  </th>
                </tr>
              </thead>
              <tbody>
                {cgroup.levels.map((l) => (
                  <tr
                    key={l.path}
                    className={`border-t border-zinc-200 dark:border-zinc-800 ${l.path === c.pids.limitPath ? "font-semibold" : ""}`}
                  >
                    <td className="py-1 pr-2 font-mono text-xs break-all">
                      {l.path}
                      {l.path === c.pids.limitPath && (
                        <span className="ml-2 font-sans text-amber-700 dark:text-amber-300">binding</span>
                      )}
                    </td>
                    <td className="text-right tabular-nums">{l.max === null ? "max" : fmtInt(l.max)}</td>
                    <td className="text-right tabular-nums">{fmtInt(l.current)}</td>
                    <td className="text-right tabular-nums">{l.headroom === null ? "∞" : fmtInt(l.headroom)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h3 className="mt-4 mb-1 text-xs font-semibold text-zinc-500 uppercase">Kernel and systemd</h3>
          <dl>
            <Fact label="kernel.threads-max">{fmtInt(cgroup.kernel.threadsMax)}</Fact>
            <Fact label="kernel.pid_max">{fmtInt(cgroup.kernel.pidMax)}</Fact>
            <Fact label="systemd DefaultTasksMax">{fmtInt(cgroup.kernel.systemdDefaultTasksMax)}</Fact>
          </dl>
        </>
      ) : (
        <p className="mt-3 text-sm text-zinc-500">
          The cgroup chain is not readable for this host (read through the Docker API); only Docker&apos;s own limit is
          known.
        </p>
      )}
    </Panel>
  );
}
