"use client";
import Link from "next/link";
import { useMemo } from "react";
import { useQueue } from "@/components/hooks/use-queue";
import { useQueues } from "@/components/hooks/use-queues";
import { QueueChart } from "@/components/queues/queue-chart";
import { fmtInt } from "@/lib/format";
import { queueHref } from "@/lib/segments";

// A queue's depth chart for a runbook: the same chart as the queue page, live from the ["queues"] cache.
export function MappedQueueChart({ broker, queue, via }: { broker: string; queue: string; via?: string }) {
  const detail = useQueue(broker, queue, "1h");
  const all = useQueues();
  const b = all.data?.brokers.find((x) => x.name === broker);
  const live = useMemo(() => b?.queues.find((q) => q.name === queue), [b, queue]);
  return (
    <div>
      <p className="mb-1 text-xs">
        <Link href={queueHref(broker, queue)} className="font-mono hover:underline">
          {broker}/{queue}
        </Link>{" "}
        depth {fmtInt(live?.depth)} · consumers {live?.consumers.length ?? "?"}
        {via ? ` · mapped by ${via}` : ""}
      </p>
      {detail.data ? (
        <QueueChart
          queueKey={`${broker}/${queue}`}
          range="1h"
          history={detail.data.history}
          live={live}
          liveSampledAt={b?.sampledAt ?? null}
          threshold={live?.threshold ?? detail.data.queue.threshold}
        />
      ) : (
        <p className="text-xs text-zinc-500">{detail.error ? (detail.error as Error).message : "Loading…"}</p>
      )}
    </div>
  );
}
