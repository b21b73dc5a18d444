"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import type { Column } from "@/components/ui/data-table";
import { Sparkline } from "@/components/ui/sparkline";
import { StatusBadge } from "@/components/ui/status-badge";
import { fmtAge, fmtInt, fmtPercent } from "@/lib/format";
import { statusRank } from "@/lib/status";
import { containerHref } from "@/lib/segments";
import type { ContainerSummary } from "@/server/schemas/containers";
import { growthText, limitShare, limitSourceLabel, pidsOverLimit } from "./fleet";
import { ForecastText } from "./forecast-text";

/** Hosts whose sampler is down: their rows show the age of the last good values. */
export type StaleHosts = ReadonlyMap<string, number | null>;

export function staleHosts(hosts: readonly { name: string; ok: boolean; sampledAt: number | null }[]): StaleHosts {
  return new Map(hosts.filter((h) => !h.ok).map((h) => [h.name, h.sampledAt]));
}

/** The container's name linking to its page; the reasons for its status on hover. `prefetch="intent"` (the fleet
 *  table and its phone cards) prefetches the page on hover, focus or touch instead of when the link scrolls into
 *  view: a fling through 1,000 rows otherwise asked the server for hundreds of container pages and observed every
 *  row's link with an IntersectionObserver. */
export function ContainerLink({
  c,
  className = "",
  prefetch = "visible",
}: {
  c: ContainerSummary;
  className?: string;
  prefetch?: "visible" | "intent";
}) {
  const router = useRouter();
  const href = containerHref(c.host, c.id);
  const onIntent = prefetch === "intent" ? () => router.prefetch(href) : undefined;
  return (
    <Link
      href={href}
      prefetch={prefetch === "intent" ? false : undefined}
      onMouseEnter={onIntent}
      onFocus={onIntent}
      onTouchStart={onIntent}
      title={c.reasons.join("; ") || c.name}
      className={`font-medium text-blue-700 hover:underline dark:text-blue-300 ${className}`}
    >
      {c.name}
    </Link>
  );
}

export function OwnLimit({ c }: { c: ContainerSummary }) {
  const marker = limitSourceLabel(c.pids.limitSource);
  const differs = c.pids.limit !== c.pids.effectiveLimit;
  return (
    <span className="inline-flex items-center gap-1.5">
      {differs && <span className="tabular-nums">{c.pids.limit === null ? "unlimited" : fmtInt(c.pids.limit)}</span>}
      {marker && (
        <span
          title={c.pids.limitPath ?? undefined}
          className="rounded border border-amber-500/50 bg-amber-500/10 px-1.5 text-xs text-amber-800 dark:text-amber-300"
        >
          {marker}
        </span>
      )}
      {!differs && !marker && <span className="text-zinc-500">same</span>}
    </span>
  );
}

export function fleetColumns(stale: StaleHosts): Column<ContainerSummary>[] {
  return [
    {
      key: "status",
      sortValue: (c) => statusRank(c.status),
      sortFirst: "asc",
      header: "Status",
      width: 96,
      cell: (c) => (
        <span className="inline-flex items-center gap-1">
          <StatusBadge status={c.status} testId={`status-${c.name}`} />
          {stale.has(c.host) && (
            <span className="text-xs text-zinc-500" title="host is down; last good value">
              stale {fmtAge(c.sampledAt)}
            </span>
          )}
        </span>
      ),
    },
    {
      key: "name",
      sortValue: (c) => c.name,
      sortFirst: "asc",
      header: "Name",
      width: 150,
      cell: (c) => <ContainerLink c={c} prefetch="intent" />,
    },
    { key: "host", sortValue: (c) => c.host, sortFirst: "asc", header: "Host", width: 80, cell: (c) => c.host },
    {
      key: "image",
      sortValue: (c) => c.image,
      sortFirst: "asc",
      header: "Image",
      width: 100,
      cell: (c) => (
        <span title={c.image} className="text-zinc-600 dark:text-zinc-400">
          {c.image}
        </span>
      ),
    },
    {
      key: "pids",
      sortValue: (c) => c.pids.current,
      header: "PIDs / limit",
      width: 104,
      align: "right",
      title: "pids.current / effective limit",
      cell: pidsOverLimit,
    },
    {
      key: "own",
      sortValue: (c) => c.pids.limit,
      header: "Own limit",
      width: 150,
      title: "The container's own pids.max and where the effective limit comes from",
      cell: (c) => <OwnLimit c={c} />,
    },
    {
      key: "share",
      sortValue: limitShare,
      header: "Share",
      width: 56,
      align: "right",
      cell: (c) => fmtPercent(limitShare(c)),
    },
    {
      key: "growth",
      sortValue: (c) => (growthText(c) === "—" ? null : c.growthPerMinute),
      header: "Growth",
      width: 76,
      align: "right",
      cell: growthText,
    },
    {
      key: "eta",
      sortValue: (c) => c.etaSeconds,
      sortFirst: "asc",
      header: "ETA",
      width: 150,
      align: "right",
      title: "Time until the effective limit at the current growth",
      cell: (c) => <ForecastText container={c} />,
    },
    {
      key: "trend",
      header: "Trend",
      width: 84,
      cell: (c) => (
        <Sparkline
          trail={c.spark}
          width={72}
          tone={c.status}
          label={`${c.name} pids trend, now ${fmtInt(c.pids.current)}`}
        />
      ),
    },
    {
      key: "forks",
      sortValue: (c) => (c.refusingNow ? Number.MAX_SAFE_INTEGER : c.pids.refusedTotal),
      header: "Refused",
      width: 72,
      title: "forks refused by the pids limit (pids.events max)",
      align: "right",
      cell: (c) =>
        c.refusingNow ? (
          <span
            className="font-semibold text-red-700 dark:text-red-300"
            title={`refusing forks now; ${fmtInt(c.pids.refusedTotal)} refused so far`}
          >
            refusing
          </span>
        ) : (
          <span className="text-zinc-500">{fmtInt(c.pids.refusedTotal)}</span>
        ),
    },
  ];
}
