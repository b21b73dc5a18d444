import { Fact, Panel } from "@/components/ui/panel";
import { MiddleTruncate } from "@/components/ui/middle-truncate";
import { fmtInt } from "@/lib/format";
import { NOT_VISIBLE_HELP, type CgroupDetail, type ContainerSummary } from "@/server/schemas/containers";
import { CgroupChain } from "./cgroup-chain";
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
          {c.pids.limitPath ? <MiddleTruncate value={c.pids.limitPath} testId="limit-path" /> : "—"}
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
          <CgroupChain levels={cgroup.levels} bindingPath={c.pids.limitPath} testId="cgroup-levels" />
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
