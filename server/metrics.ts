import "server-only";
import { Counter, Gauge, Registry } from "prom-client";
import { snapshot } from "@/server/live";
import { listSources } from "@/server/sources/status";
import { taskMetricsText } from "@/server/tasks/prometheus";
import type { ContainersResponse, QueuesResponse, WorkersResponse } from "@/server/schemas/api";
import { processState } from "@/server/process-state";

// Prometheus exposition built from the latest snapshots at scrape time: a scrape never touches Docker or Redis.
// Names follow cAdvisor (container_threads*) and celery-exporter (celery_*), with depth summed over priorities.

interface Metrics {
  registry: Registry;
  collect: () => void;
}

function build(): Metrics {
  const registry = new Registry();
  const cl = ["host", "name", "id", "image"] as const;
  const threads = new Gauge({
    name: "container_threads",
    help: "Number of threads (pids.current) in the container",
    labelNames: cl,
    registers: [registry],
  });
  const threadsMax = new Gauge({
    name: "container_threads_max",
    help: "The container's own pids limit (0 = unlimited), as cAdvisor reports it",
    labelNames: cl,
    registers: [registry],
  });
  const effective = new Gauge({
    name: "leakwatch_container_threads_effective_max",
    help: 'The limit with least headroom over the container and its ancestor cgroups (0 = none; NaN with limit_source="not-visible" = unknown: read over the Docker API only)',
    labelNames: [...cl, "limit_source"],
    registers: [registry],
  });
  const visible = new Gauge({
    name: "leakwatch_container_limit_visible",
    help: "0 when the console reads this host over the Docker API only and cannot see the cgroups above the container or the kernel limits (run the console or a collector on that host to see them); 1 otherwise",
    labelNames: cl,
    registers: [registry],
  });
  const eta = new Gauge({
    name: "leakwatch_container_threads_eta_seconds",
    help: "Seconds until the effective limit at the current growth rate (absent when not growing)",
    labelNames: cl,
    registers: [registry],
  });
  // A counter: the kernel's pids.events "max" only grows while the cgroup lives (a new container starts again at 0,
  // which Prometheus's rate() reads as a counter reset). It is re-set from the snapshot on every scrape.
  const refused = new Counter({
    name: "leakwatch_container_pids_refused_total",
    help: "Forks refused by the pids controller (pids.events max); over the Docker API only, fork failures seen in the container's log",
    labelNames: cl,
    registers: [registry],
  });
  const ql = ["broker", "queue_name"] as const;
  const qlen = new Gauge({
    name: "celery_queue_length",
    help: "Messages waiting in the queue, summed over kombu priority lists",
    labelNames: ql,
    registers: [registry],
  });
  const qunacked = new Gauge({
    name: "celery_queue_unacked",
    help: "Messages delivered to workers and not yet acknowledged",
    labelNames: ql,
    registers: [registry],
  });
  const qorphaned = new Gauge({
    name: "celery_queue_orphaned",
    help: "Unacked messages past the visibility timeout or held by a gone worker",
    labelNames: ql,
    registers: [registry],
  });
  const consumers = new Gauge({
    name: "celery_active_consumer_count",
    help: "Workers consuming the queue",
    labelNames: ql,
    registers: [registry],
  });
  const paused = new Gauge({
    name: "leakwatch_queue_paused",
    help: "1 while the queue is paused from the console (queue.pause: its consumers were told to cancel_consumer), 0 otherwise",
    labelNames: ql,
    registers: [registry],
  });
  const pausedSeconds = new Gauge({
    name: "leakwatch_queue_paused_seconds",
    help: "How long the queue has been paused from the console (absent when it is not paused)",
    labelNames: ql,
    registers: [registry],
  });
  const workers = new Gauge({
    name: "celery_active_worker_count",
    help: "Live workers on the broker",
    labelNames: ["broker"],
    registers: [registry],
  });
  const procs = new Gauge({
    name: "celery_active_process_count",
    help: "Pool processes of live workers on the broker",
    labelNames: ["broker"],
    registers: [registry],
  });
  const up = new Gauge({
    name: "leakwatch_source_up",
    help: "1 when the source answered its last check",
    labelNames: ["kind", "name"],
    registers: [registry],
  });

  const collect = () => {
    const now = Date.now();
    for (const m of [
      threads,
      threadsMax,
      effective,
      visible,
      eta,
      refused,
      qlen,
      qunacked,
      qorphaned,
      consumers,
      paused,
      pausedSeconds,
      workers,
      procs,
      up,
    ])
      m.reset();
    for (const c of snapshot<ContainersResponse>("containers")?.containers ?? []) {
      const l = { host: c.host, name: c.name, id: c.id, image: c.image };
      if (c.pids.current !== null) threads.set(l, c.pids.current);
      threadsMax.set(l, c.pids.limit ?? 0);
      const notVisible = c.pids.limitSource === "not-visible";
      effective.set({ ...l, limit_source: c.pids.limitSource }, c.pids.effectiveLimit ?? (notVisible ? NaN : 0));
      visible.set(l, c.via === "docker-api" ? 0 : 1);
      if (c.etaSeconds !== null) eta.set(l, c.etaSeconds);
      if (c.pids.refusedTotal !== null) refused.inc(l, c.pids.refusedTotal);
    }
    for (const b of snapshot<QueuesResponse>("queues")?.brokers ?? []) {
      for (const q of b.queues) {
        const l = { broker: b.name, queue_name: q.name };
        qlen.set(l, q.depth);
        qunacked.set(l, q.unacked);
        qorphaned.set(l, q.orphaned);
        consumers.set(l, q.consumers.length);
        paused.set(l, q.paused ? 1 : 0);
        if (q.paused) pausedSeconds.set(l, Math.max(0, (now - q.paused.since) / 1000));
      }
    }
    const live = (snapshot<WorkersResponse>("workers")?.workers ?? []).filter((w) => w.alive);
    const brokers = new Set(live.map((w) => w.broker));
    for (const b of brokers) {
      const ws = live.filter((w) => w.broker === b);
      workers.set({ broker: b }, ws.length);
      procs.set(
        { broker: b },
        ws.reduce((n, w) => n + (w.processes.length || w.concurrency || 0), 0),
      );
    }
    for (const s of listSources()) up.set({ kind: s.kind, name: s.name }, s.ok ? 1 : 0);
  };
  return { registry, collect };
}

export async function metricsText(): Promise<{ body: string; contentType: string }> {
  const { registry, collect } = processState("metrics", build);
  collect();
  // Task counters and runtimes accumulate as events arrive (server/tasks/prometheus.ts), in a registry of their own.
  return { body: (await registry.metrics()) + (await taskMetricsText()), contentType: registry.contentType };
}
