import "server-only";
import type { ContainerThresholdOverride, Thresholds } from "@/server/config";
import type { LimitSource, Status } from "@/server/schemas/containers";

// Turns a container's numbers into ok / warn / critical with reasons a person can act on. Per-container overrides
// (config containerThresholds) match a name glob or a label key=value; every matching override applies, later wins.

export type ContainerThresholds = Omit<Thresholds, "queueDepth">;

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

export function overrideMatches(match: string, c: { name: string; labels: Record<string, string> }): boolean {
  const eq = match.indexOf("=");
  if (eq > 0) return c.labels[match.slice(0, eq)] === match.slice(eq + 1);
  return globToRegExp(match).test(c.name);
}

export function thresholdsFor(
  c: { name: string; labels: Record<string, string> },
  base: Thresholds,
  overrides: readonly ContainerThresholdOverride[],
): ContainerThresholds {
  const t: ContainerThresholds = { warnShare: base.warnShare, criticalShare: base.criticalShare, warnEtaSeconds: base.warnEtaSeconds, criticalEtaSeconds: base.criticalEtaSeconds };
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
}

export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} days`;
}

const where = (i: ClassifyInput) =>
  i.limitSource === "kernel" || i.limitSource === "none" ? "the kernel's host-wide limit"
  : i.limitSource === "container" ? "its own limit"
  : i.limitSource === "systemd-default" ? `systemd's default TasksMax on ${i.limitPath}`
  : `the limit on parent cgroup ${i.limitPath}`;

export function classify(i: ClassifyInput, t: ContainerThresholds): { status: Status; reasons: string[] } {
  if (i.current === null) return { status: "unknown", reasons: ["No pids reading for this container yet."] };
  const critical: string[] = [];
  const warn: string[] = [];
  if (i.refusingNow) critical.push(`Forks and new threads are being refused now (pids.events max rose to ${i.refusedTotal}).`);
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
  if (!i.refusingNow && (i.refusedTotal ?? 0) > 0) warn.push(`${i.refusedTotal} forks were refused earlier (pids.events).`);
  const status: Status = critical.length ? "critical" : warn.length ? "warn" : "ok";
  const reasons = [...critical, ...warn];
  if (i.hiddenCap && status !== "ok") reasons.push(`Docker reports no limit for this container; the cap is ${where(i)}.`);
  return { status, reasons };
}
