"use client";
import { useMemo } from "react";
import { useContainer } from "@/components/hooks/use-container";
import { useContainers } from "@/components/hooks/use-containers";
import { PidsChart } from "@/components/containers/pids-chart";
import { fmtDuration, fmtInt, fmtPercent, fmtRate } from "@/lib/format";
import type { ThreadLeakContext } from "@/server/schemas/runbooks";
import { Facts } from "./facts";
import { MappedQueueChart } from "./mapped-queue-chart";

// Detect: use against the effective limit, growth and ETA, refused forks; the pids chart beside the depth of
// the queues this container consumes, so a backlog and a leak are seen together.
export function ThreadDetect({ host, id, ctx }: { host: string; id: string; ctx: ThreadLeakContext | undefined }) {
  const detail = useContainer(host, id, "1h");
  const fleet = useContainers();
  const live = useMemo(
    () => fleet.data?.containers.find((c) => c.host === host && c.id === id),
    [fleet.data, host, id],
  );
  const c = live ?? detail.data?.container;
  const share = c?.pids.current != null && c.pids.effectiveLimit ? c.pids.current / c.pids.effectiveLimit : null;
  return (
    <div className="space-y-3">
      {!c ? (
        <p className="text-sm text-zinc-500">The container is not in the live snapshot (stopped, or restarting).</p>
      ) : (
        <Facts
          items={[
            ["pids now", fmtInt(c.pids.current), "detect-current"],
            ["effective limit", `${fmtInt(c.pids.effectiveLimit)} (${c.pids.limitSource})`, "detect-effective"],
            ["share", fmtPercent(share), "detect-share"],
            ["own limit", c.pids.limit === null ? "none" : fmtInt(c.pids.limit)],
            ["growth", fmtRate(c.growthPerMinute)],
            ["ETA to limit", c.etaSeconds === null ? "not growing" : fmtDuration(c.etaSeconds), "detect-eta"],
            [
              "forks refused",
              `${fmtInt(c.pids.refusedTotal ?? 0)}${c.refusingNow ? " — refusing now" : ""}`,
              "detect-refused",
            ],
            ["status", c.reasons[0] ?? c.status],
          ]}
        />
      )}
      <div className={`grid gap-3 ${ctx?.queues.length ? "lg:grid-cols-2" : ""}`}>
        <div className="min-w-0">
          {detail.data ? (
            <PidsChart
              containerKey={`${host}/${id}`}
              range="1h"
              history={detail.data.history}
              events={detail.data.events}
              changes={detail.data.changes}
              live={live}
            />
          ) : (
            <p className="text-xs text-zinc-500">Loading history…</p>
          )}
        </div>
        {ctx?.queues.length ? (
          <div className="min-w-0 space-y-2" data-testid="detect-queues">
            {ctx.queues.slice(0, 3).map((q) => (
              <MappedQueueChart key={`${q.broker}/${q.queue}`} broker={q.broker} queue={q.queue} via={q.via} />
            ))}
          </div>
        ) : null}
      </div>
      {ctx && !ctx.queues.length && (
        <p className="text-xs text-zinc-500">
          No queue is mapped to this container (label leakwatch.queues, or a Celery worker whose hostname is the
          container&apos;s).
        </p>
      )}
    </div>
  );
}
