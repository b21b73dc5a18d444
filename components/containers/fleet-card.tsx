"use client";
import { CardField, CardFields } from "@/components/ui/data-table";
import { Sparkline } from "@/components/ui/sparkline";
import { StatusBadge } from "@/components/ui/status-badge";
import { fmtAge, fmtInt, fmtPercent } from "@/lib/format";
import type { ContainerSummary } from "@/server/schemas/containers";
import { ContainerLink, OwnLimit, type StaleHosts } from "./fleet-columns";
import { growthText, limitShare, pidsOverLimit } from "./fleet";
import { ForecastText } from "./forecast-text";

// A container on a phone: the fleet table's columns as labelled values, so pids, limit and ETA are never cut off.
// No data-testids inside beyond the card's own: the desktop table's cells own `status-<name>` and friends.
export function ContainerCard({ c, stale }: { c: ContainerSummary; stale: StaleHosts }) {
  return (
    <>
      <div className="flex items-center justify-between gap-2">
        <ContainerLink c={c} className="min-w-0 truncate" prefetch="intent" />
        <StatusBadge status={c.status} />
      </div>
      <p className="truncate text-xs text-zinc-500" title={c.image}>
        {c.host} · {c.image}
        {stale.has(c.host) && ` · stale ${fmtAge(c.sampledAt)}`}
      </p>
      <CardFields>
        <CardField label="PIDs / limit">{pidsOverLimit(c)}</CardField>
        <CardField label="Share">{fmtPercent(limitShare(c))}</CardField>
        <CardField label="Growth">{growthText(c)}</CardField>
        <CardField label="Own limit">
          <OwnLimit c={c} />
        </CardField>
        <CardField label="Refused">
          {c.refusingNow ? (
            <span className="font-semibold text-red-700 dark:text-red-300">refusing</span>
          ) : (
            fmtInt(c.pids.refusedTotal)
          )}
        </CardField>
        <CardField label="Trend">
          <Sparkline
            trail={c.spark}
            width={72}
            tone={c.status}
            label={`${c.name} pids trend, now ${fmtInt(c.pids.current)}`}
          />
        </CardField>
        <CardField label="ETA" span="full">
          <ForecastText container={c} />
        </CardField>
      </CardFields>
    </>
  );
}
