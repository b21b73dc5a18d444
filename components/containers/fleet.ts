// Pure fleet logic for the containers table and the overview: share of limit, ordering, filtering.
import { compareNullable, statusRank } from "@/lib/status";
import type { HostState } from "@/server/schemas/api";
import { fmtInt, fmtRate } from "@/lib/format";
import type { CgroupDetail, ContainerSummary, LimitSource, Status } from "@/server/schemas/containers";

/** current / effectiveLimit, or null when either side is unknown or nothing caps the container. */
export function limitShare(c: ContainerSummary): number | null {
  const { current, effectiveLimit } = c.pids;
  if (current === null || effectiveLimit === null || effectiveLimit <= 0) return null;
  return current / effectiveLimit;
}

/** Refusing forks now, or at (or over) the limit that applies. */
export function atLimit(c: ContainerSummary): boolean {
  return c.refusingNow || (limitShare(c) ?? 0) >= 1;
}

/** "current / effective limit", ∞ when nothing caps the container. */
export function pidsOverLimit(c: ContainerSummary): string {
  return `${fmtInt(c.pids.current)} / ${c.pids.effectiveLimit === null ? "∞" : fmtInt(c.pids.effectiveLimit)}`;
}

/** Growth per minute, or "—" where a rate would mislead: at the limit, or while the forecast is still learning. */
export function growthText(c: ContainerSummary): string {
  return atLimit(c) || c.learningSeconds !== null ? "—" : fmtRate(c.growthPerMinute);
}

/** What the ETA counts down to: the kernel's host-wide ceiling when no cgroup caps the container. */
export function etaTarget(c: ContainerSummary | undefined): string {
  const src = c?.pids.limitSource;
  return src === "none" || src === "kernel" ? "the kernel's host-wide limit" : "the effective limit";
}

/** Worst status first, then the fullest, then the soonest to run out, then by name for a stable order. */
export function compareContainers(a: ContainerSummary, b: ContainerSummary): number {
  return (
    statusRank(a.status) - statusRank(b.status) ||
    compareNullable(limitShare(a), limitShare(b), -1) ||
    compareNullable(a.etaSeconds, b.etaSeconds, 1) ||
    a.name.localeCompare(b.name) ||
    a.host.localeCompare(b.host)
  );
}

export interface FleetFilter {
  host: string;
  status: Status | "";
  text: string;
}

export const NO_FILTER: FleetFilter = { host: "", status: "", text: "" };

const STATUSES: readonly string[] = ["critical", "warn", "unknown", "ok"];

/** Reads ?host=&status=&q= (links from the overview); unknown values are ignored, not trusted. */
export function filterFromSearch(search: Record<string, string | string[] | undefined>): FleetFilter {
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";
  const status = one(search.status);
  return { host: one(search.host), status: STATUSES.includes(status) ? (status as Status) : "", text: one(search.q) };
}

/** Text matches name, image or id prefix, case-insensitive. */
export function filterAndSort(list: readonly ContainerSummary[], f: FleetFilter): ContainerSummary[] {
  const q = f.text.trim().toLowerCase();
  return list
    .filter((c) => (!f.host || c.host === f.host) && (!f.status || c.status === f.status))
    .filter(
      (c) =>
        !q || c.name.toLowerCase().includes(q) || c.image.toLowerCase().includes(q) || c.id.toLowerCase().startsWith(q),
    )
    .sort(compareContainers);
}

export function statusCounts(list: readonly ContainerSummary[]): Record<Status, number> {
  const counts: Record<Status, number> = { critical: 0, warn: 0, unknown: 0, ok: 0 };
  for (const c of list) counts[c.status] = (counts[c.status] ?? 0) + 1;
  return counts;
}

/** The containers on-call should look at first: not-ok ones, or any with a projected ETA. */
export function atRisk(list: readonly ContainerSummary[], n = 5): ContainerSummary[] {
  return list
    .filter((c) => c.status !== "ok" || c.etaSeconds !== null || (limitShare(c) ?? 0) >= 0.5)
    .sort(compareContainers)
    .slice(0, n);
}

/** Host names from both the hosts list and the containers (a host may be down but still have rows). */
export function hostNames(hosts: readonly HostState[], list: readonly ContainerSummary[]): string[] {
  return [...new Set([...hosts.map((h) => h.name), ...list.map((c) => c.host)])].sort();
}

/** Marker shown next to the limit when the container's own pids.max is not what binds. */
export function limitSourceLabel(source: LimitSource): string | null {
  switch (source) {
    case "container":
      return null;
    case "ancestor":
      return "capped by ancestor";
    case "systemd-default":
      return "systemd default";
    case "kernel":
      return "kernel limit";
    case "none":
      return "no limit";
    case "not-visible":
      return "limit not visible";
  }
}

/** The sentence on-call needs when Docker says "no limit" but a level above the container caps it. */
export function hiddenCapSentence(c: ContainerSummary, cgroup: CgroupDetail): string {
  if (cgroup.explanation.trim()) return cgroup.explanation;
  return `Docker reports no limit, but ${c.pids.limitPath ?? "an ancestor cgroup"} caps this container at ${fmtInt(c.pids.effectiveLimit)}.`;
}
