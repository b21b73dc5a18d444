import "server-only";
import { Counter, Histogram, Registry } from "prom-client";
import type { Observed } from "./events";
import { processState } from "@/server/process-state";

// Task metrics under celery-exporter's names and labels (name, hostname, queue_name; task_failed adds exception),
// so its dashboards and alerts work unchanged; `broker` is added because one console watches several brokers.
// As celery-exporter: hostname is the part after '@' of the node name, queue_name is "celery" when no task-sent
// event told the queue, and runtime uses Prometheus's default buckets. Counted as events arrive, not at scrape time.

interface TaskMetrics {
  registry: Registry;
  counters: Record<string, Counter>;
  runtime: Histogram;
}

const COUNTED: Record<string, string> = {
  "task-sent": "Sent when a task message is published.",
  "task-received": "Sent when the worker receives a task.",
  "task-started": "Sent just before the worker executes the task.",
  "task-succeeded": "Sent if the task executed successfully.",
  "task-failed": "Sent if the execution of the task failed.",
  "task-retried": "Sent if the task failed, but will be retried in the future.",
  "task-rejected": "The task was rejected by the worker.",
  "task-revoked": "Sent if the task has been revoked.",
};

function build(): TaskMetrics {
  const registry = new Registry();
  const labels = ["broker", "name", "hostname", "queue_name"];
  const counters: Record<string, Counter> = {};
  for (const [type, help] of Object.entries(COUNTED)) {
    counters[type] = new Counter({
      // prom-client appends nothing: the _total suffix is part of the name, as prometheus_client writes it.
      name: `celery_task_${type.slice("task-".length)}_total`,
      help,
      labelNames: type === "task-failed" ? [...labels, "exception"] : labels,
      registers: [registry],
    });
  }
  const runtime = new Histogram({
    name: "celery_task_runtime",
    help: "Histogram of task runtime measurements.",
    labelNames: labels,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
    registers: [registry],
  });
  return { registry, counters, runtime };
}

const metrics = () => processState("tasks/prometheus", build);

export function countEvent(broker: string, o: Observed): void {
  const m = metrics();
  const counter = m.counters[o.event.type];
  if (!counter) return;
  const labels = {
    broker,
    name: o.name,
    hostname: o.event.hostname.includes("@")
      ? o.event.hostname.slice(o.event.hostname.indexOf("@") + 1)
      : o.event.hostname,
    queue_name: o.queue ?? "celery",
  };
  counter.inc(o.event.type === "task-failed" ? { ...labels, exception: exceptionClass(o.event.exception) } : labels);
  if (o.event.type === "task-succeeded" && o.event.runtimeSeconds !== null)
    m.runtime.observe(labels, o.event.runtimeSeconds);
}

/**
 * The exception's class name from Celery's repr ("ValueError('x')" -> "ValueError"), as celery-exporter labels it.
 * Never the message: it may hold what the task was given (a URL with a password, a token).
 */
export function exceptionClass(repr: string | null): string {
  const m = /^[A-Za-z_][\w.]{0,127}(?=\(|$)/.exec(repr ?? "");
  return m ? m[0] : "";
}

export async function taskMetricsText(): Promise<string> {
  return metrics().registry.metrics();
}
