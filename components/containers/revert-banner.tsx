"use client";
import { useEffect, useState } from "react";
import { ActionButton } from "@/components/actions/action-dialog";
import { fmtInt } from "@/lib/format";
import type { ContainerDetailResponse } from "@/server/schemas/api";
import type { ContainerSummary } from "@/server/schemas/containers";

type PendingRevert = NonNullable<ContainerDetailResponse["pendingRevert"]>;

function clock(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(s / 3600),
    m = Math.floor((s % 3600) / 60),
    sec = s % 60;
  return h > 0
    ? `${h}:${String(m).padStart(2, "0")}:${String(sec).padStart(2, "0")}`
    : `${m}:${String(sec).padStart(2, "0")}`;
}

/** Re-renders every second while mounted: the countdown is the point of the banner. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}

// A time-boxed raise is a promise to undo it: say what, until when and how long is left, with Keep and Revert now.
export function RevertBanner({
  host,
  container: c,
  pending: p,
}: {
  host: string;
  container: ContainerSummary;
  pending: PendingRevert;
}) {
  const now = useNow();
  const target = { host, id: c.name };
  const revertTo = p.revertTo === null ? "unlimited" : fmtInt(p.revertTo);
  const belowUsage = p.revertTo !== null && c.pids.current !== null && c.pids.current >= p.revertTo;
  const due = new Date(p.dueAt);
  return (
    <section
      role="status"
      aria-label="Pending revert"
      data-testid="revert-banner"
      className="flex min-w-0 flex-wrap items-center gap-x-3 gap-y-2 rounded-md border border-amber-500/60 bg-amber-500/10 px-3 py-2 text-sm"
    >
      <p className="min-w-0">
        <span className="font-semibold">{c.pids.limit === null ? "unlimited" : fmtInt(c.pids.limit)}</span> until{" "}
        <time dateTime={due.toISOString()} title={due.toISOString()}>
          {due.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", timeZoneName: "short" })}
        </time>{" "}
        (
        <span className="tabular-nums" data-testid="revert-countdown">
          {p.dueAt > now ? `${clock(p.dueAt - now)} left` : "due now"}
        </span>
        ), then back to {revertTo}
        <span className="text-zinc-500"> · raised by {p.actor}</span>
      </p>
      {p.heldBecause && (
        <p className="basis-full font-medium text-red-700 dark:text-red-300" data-testid="revert-held">
          {p.heldBecause}
        </p>
      )}
      {!p.heldBecause && belowUsage && (
        <p className="basis-full text-red-700 dark:text-red-300">
          {fmtInt(c.pids.current)} tasks run now, at or above {revertTo}: the revert will be held rather than refuse
          forks.
        </p>
      )}
      <span className="ml-auto flex gap-2">
        <ActionButton action="container.confirm-pids-limit" target={target} label="Keep" testId="revert-keep" />
        <ActionButton
          action="container.set-pids-limit"
          target={target}
          label="Revert now"
          testId="revert-now"
          variant={belowUsage ? "danger" : "default"}
          fixedParams={{ limit: p.revertTo }}
        />
      </span>
    </section>
  );
}
