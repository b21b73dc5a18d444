import "server-only";
import { getConfig, type BrokerConfig, type DockerHostConfig } from "@/server/config";
import { NotFoundError } from "@/server/errors";
import { snapshot } from "@/server/live";
import type { QueuesResponse } from "@/server/schemas/api";
import type { QueueSummary } from "@/server/schemas/queues";

// Sources by name, for reads, actions and runbooks alike: an unknown name is a 404 with a clear message.

export function hostConfig(name: string): DockerHostConfig {
  const h = getConfig().dockerHosts.find((x) => x.name === name);
  if (!h) throw new NotFoundError(`No Docker endpoint named "${name}".`);
  return h;
}

export function brokerConfig(name: string): BrokerConfig {
  const b = getConfig().brokers.find((x) => x.name === name);
  if (!b) throw new NotFoundError(`No broker named "${name}".`);
  return b;
}

/** A queue as of the latest sample (undefined before the first pass, or when the queue is unknown). */
export function liveQueue(broker: string, queue: string): QueueSummary | undefined {
  return snapshot<QueuesResponse>("queues")
    ?.brokers.find((b) => b.name === broker)
    ?.queues.find((q) => q.name === queue);
}
