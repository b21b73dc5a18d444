// queue -> consumers, joined from two views: what each worker says it consumes (heartbeat/ping)
// and what the queue sampler saw. A queue nobody consumes is the silent failure on-call must see.
import type { BrokerSummary, WorkerSummary } from "@/server/schemas/queues";

export interface ConsumerEntry {
  broker: string;
  queue: string;
  consumers: string[];
  depth: number | null;
}

export function consumerMap(workers: readonly WorkerSummary[], brokers: readonly BrokerSummary[]): ConsumerEntry[] {
  const byKey = new Map<string, { broker: string; queue: string; consumers: Set<string>; depth: number | null }>();
  const entry = (broker: string, queue: string) => {
    const key = `${broker}\u0000${queue}`;
    let e = byKey.get(key);
    if (!e) byKey.set(key, (e = { broker, queue, consumers: new Set(), depth: null }));
    return e;
  };
  for (const b of brokers) {
    for (const q of b.queues) {
      const e = entry(b.name, q.name);
      e.depth = q.depth;
      q.consumers.forEach((c) => e.consumers.add(c));
    }
  }
  // Dead workers do not consume: listing them would hide a queue that nobody drains.
  for (const w of workers) if (w.alive) for (const q of w.queues) entry(w.broker, q).consumers.add(w.hostname);
  return [...byKey.values()]
    .map((e) => ({ broker: e.broker, queue: e.queue, consumers: [...e.consumers].sort(), depth: e.depth }))
    .sort(
      (a, b) =>
        Number(a.consumers.length > 0) - Number(b.consumers.length > 0) ||
        (b.depth ?? 0) - (a.depth ?? 0) ||
        a.queue.localeCompare(b.queue),
    );
}

/** Alive first, then by broker and hostname. */
export function sortWorkers(workers: readonly WorkerSummary[]): WorkerSummary[] {
  return [...workers].sort(
    (a, b) =>
      Number(b.alive) - Number(a.alive) || a.broker.localeCompare(b.broker) || a.hostname.localeCompare(b.hostname),
  );
}
