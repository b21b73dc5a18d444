import "server-only";
import type { ContainerSummary } from "@/server/schemas/containers";
import type { WorkerSummary } from "@/server/schemas/queues";
import type { MappedQueue } from "./types";

// Pure: which queues a container serves, so a backlog and a leak are seen together. Two ways: the label
// `leakwatch.queues` ("queue" or "broker/queue", comma separated), or the Celery workers running inside it
// (a worker's hostname is name@<container hostname>, and Docker's default hostname is the short id).

const QUEUES_LABEL = "leakwatch.queues";

export function workersInContainer(
  c: Pick<ContainerSummary, "id" | "name">,
  workers: WorkerSummary[],
): WorkerSummary[] {
  const names = new Set([c.id.slice(0, 12), c.name]);
  return workers.filter((w) => names.has(w.hostname.slice(w.hostname.indexOf("@") + 1)));
}

export function mappedQueues(
  c: Pick<ContainerSummary, "id" | "name" | "labels">,
  workers: WorkerSummary[],
  defaultBroker: string,
): MappedQueue[] {
  const out = new Map<string, MappedQueue>();
  for (const part of (c.labels[QUEUES_LABEL] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const slash = part.indexOf("/");
    const m =
      slash > 0
        ? { broker: part.slice(0, slash), queue: part.slice(slash + 1) }
        : { broker: defaultBroker, queue: part };
    out.set(`${m.broker}/${m.queue}`, { ...m, via: `label ${QUEUES_LABEL}` });
  }
  for (const w of workersInContainer(c, workers))
    for (const q of w.queues)
      if (!out.has(`${w.broker}/${q}`))
        out.set(`${w.broker}/${q}`, { broker: w.broker, queue: q, via: `worker ${w.hostname}` });
  return [...out.values()];
}
