import "server-only";
import type { ContainerThresholdOverride, Thresholds } from "@/server/config";
import type { LimitSource, Status } from "@/server/schemas/containers";

// Turns a container's numbers into ok / warn / critical with reasons a person can act on. Per-container overrides
// (config containerThresholds) match a name glob or a label key=value; every matching override applies, later wins.

export type ContainerThresholds = Omit<Thresholds, "queueDepth">;

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

function overrideMatches(match: string, c: { name: string; labels: Record<string, string> }): boolean {
  const eq = match.indexOf("=");
  if (eq > 0) return c.labels[match.slice(0, eq)] === match.slice(eq + 1);
  return globToRegExp(match).test(c.name);
}

export function thresholdsFor(
  c: { name: string; labels: Record<string, string> },
  base: Thresholds,
  overrides: readonly ContainerThresholdOverride[],
): ContainerThresholds {
  const t: ContainerThresholds = {
    warnShare: base.warnShare,
    criticalShare: base.criticalShare,
    warnEtaSeconds: base.warnEtaSeconds,
    criticalEtaSeconds: base.criticalEtaSeconds,
  };
  for (const o of overrides) {
    if (!overrideMatches(o.match, c)) continue;
    for (const k of ["warnShare", "criticalShare", "warnEtaSeconds", "criticalEtaSeconds"] as const) {
      const v = o[k];
      if (v !== undefined) t[k] = v;
    }
  }
  return t;
}

export interface ClassifyInput {
  current: number | null;
  effectiveLimit: number | null;
  limitSource: LimitSource;
  limitPath: string | null;
  /** current / max at the deciding level. */
  share: number | null;
  etaSeconds: number | null;
  /** pids.events "max" rose since the previous sample: forks are being refused right now. */
  refusingNow: boolean;
  refusedTotal: number | null;
  hiddenCap: boolean;
  /** Where refusedTotal comes from: the cgroup's pids.events, or (Docker API only) fork failures in the log. */
  refusedFrom?: "pids.events" | "logs";
  /** Docker API only: the pids count stopped rising at this value after a steady climb (a leak at a cap it can't see). */
  stuckAt?: number | null;
}

function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} days`;
}

const where = (i: ClassifyInput) =>
  i.limitSource === "not-visible"
    ? "a limit not visible from here"
    : i.limitSource === "kernel" || i.limitSource === "none"
      ? "the kernel's host-wide limit"
      : i.limitSource === "container"
        ? "its own limit"
        : i.limitSource === "systemd-default"
          ? `systemd's default TasksMax on ${i.limitPath ?? "the container's scope"}`
          : `the limit on parent cgroup ${i.limitPath}`;

export function classify(i: ClassifyInput, t: ContainerThresholds): { status: Status; reasons: string[] } {
  if (i.current === null) return { status: "unknown", reasons: ["No pids reading for this container yet."] };
  const critical: string[] = [];
  const warn: string[] = [];
  const fromLogs = i.refusedFrom === "logs";
  const unknownLimit = i.limitSource === "not-visible" ? "Refusing forks, limit unknown: " : "";
  if (i.refusingNow)
    critical.push(
      fromLogs
        ? `${unknownLimit}the container's log shows new fork failures ("can't start new thread", "Resource temporarily unavailable", "fork: retry"; ${i.refusedTotal} so far).`
        : `Forks and new threads are being refused now (pids.events max rose to ${i.refusedTotal}).`,
    );
  if (i.stuckAt !== undefined && i.stuckAt !== null && i.limitSource === "not-visible")
    critical.push(
      `Refusing forks, limit unknown: the pids count climbed steadily, then stopped at ${i.stuckAt} and stays there, as a leak does at a cap.`,
    );
  if (i.share !== null && i.effectiveLimit !== null) {
    const pct = Math.round(i.share * 100);
    const text = `${pct}% of ${where(i)} (${i.effectiveLimit}) is in use.`;
    if (i.share >= t.criticalShare) critical.push(text);
    else if (i.share >= t.warnShare) warn.push(text);
  }
  if (i.etaSeconds !== null) {
    const text = `At the current growth it reaches ${where(i)} in about ${formatDuration(i.etaSeconds)}.`;
    if (i.etaSeconds <= t.criticalEtaSeconds) critical.push(text);
    else if (i.etaSeconds <= t.warnEtaSeconds) warn.push(text);
  }
  if (!i.refusingNow && (i.refusedTotal ?? 0) > 0)
    warn.push(
      fromLogs
        ? `${i.refusedTotal} fork failures in the container's log earlier.`
        : `${i.refusedTotal} forks were refused earlier (pids.events).`,
    );
  const status: Status = critical.length ? "critical" : warn.length ? "warn" : "ok";
  const reasons = [...critical, ...warn];
  if (i.hiddenCap && status !== "ok")
    reasons.push(`Docker reports no limit for this container; the cap is ${where(i)}.`);
  // Never a silent "no limit" over the API: say that the levels above the container can't be seen from here.
  if (i.limitSource === "not-visible")
    reasons.push(
      "Limit not visible from here (Docker API only): run the console or a collector on that host to see its parent cgroups and kernel limits.",
    );
  return { status, reasons };
}
