import "server-only";
import { ensureHeartbeatListener } from "@/server/celery/heartbeats";
import { NotFoundError } from "@/server/errors";
import { snapshot } from "@/server/live";
import type { QueuesResponse, WorkerDetailResponse, WorkersResponse } from "@/server/schemas/api";
import { brokerConfig } from "@/server/sources/lookup";

// One worker's page: assembled from the live snapshots and the broker's heartbeat listener (never a pidbox call,
// so the page does not wait on a slow worker).

export function workerDetail(broker: string, hostname: string): WorkerDetailResponse {
  const cfg = brokerConfig(broker);
  const worker = (snapshot<WorkersResponse>("workers")?.workers ?? []).find(
    (w) => w.broker === broker && w.hostname === hostname,
  );
  if (!worker) throw new NotFoundError(`Worker "${hostname}" has not been seen on ${broker}.`);
  const beat = ensureHeartbeatListener(cfg).beats.get(hostname) ?? null;
  const live = snapshot<QueuesResponse>("queues")?.brokers.find((b) => b.name === broker)?.queues ?? [];
  return {
    worker,
    heartbeat: beat && {
      lastSeenMs: beat.lastSeenMs,
      freqSeconds: beat.freqSeconds,
      offline: beat.offline,
      active: beat.active,
      processed: beat.processed,
    },
    queues: worker.queues.map((name) => {
      const q = live.find((x) => x.name === name);
      return { name, depth: q?.depth ?? null, status: q?.status ?? null };
    }),
  };
}
