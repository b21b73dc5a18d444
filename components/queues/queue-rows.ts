// Pure queue logic for the queues table, the overview and the workers map.
import { statusRank } from "@/lib/status";
import type { BrokerSummary, QueueSummary } from "@/server/schemas/queues";

export interface QueueRow extends QueueSummary {
  broker: string;
  brokerOk: boolean;
  brokerSampledAt: number | null;
}

/** Worst status first, then deepest, then by name. */
function compareQueues(a: QueueSummary, b: QueueSummary): number {
  return statusRank(a.status) - statusRank(b.status) || b.depth - a.depth || a.name.localeCompare(b.name);
}

/** The queues page's filter: every space-separated word must occur in the name, case-insensitively. */
export function queueMatches(name: string, text: string): boolean {
  const n = name.toLowerCase();
  return text
    .toLowerCase()
    .split(/\s+/)
    .every((word) => n.includes(word));
}

export function queueRows(broker: BrokerSummary, text = ""): QueueRow[] {
  return broker.queues
    .filter((q) => queueMatches(q.name, text))
    .map((q) => ({ ...q, broker: broker.name, brokerOk: broker.ok, brokerSampledAt: broker.sampledAt }))
    .sort(compareQueues);
}

/** "0: 12, 3: 4" — kombu priority steps in numeric order; empty steps are left out unless all are empty. */
export function priorityChips(byPriority: Record<string, number>): { step: string; count: number }[] {
  return Object.entries(byPriority)
    .map(([step, count]) => ({ step, count }))
    .filter((c) => c.count > 0)
    .sort((a, b) => Number(a.step) - Number(b.step) || a.step.localeCompare(b.step));
}

export type QueueProblem = "over-threshold" | "no-consumer" | "paused" | "orphaned";

/** Why a queue needs attention. An empty queue without a consumer is not listed: in a quiet fleet that is every
 * queue nobody uses, and listing them all would bury the one that matters; once it holds work, it is. */
export function queueProblems(q: QueueSummary): QueueProblem[] {
  const out: QueueProblem[] = [];
  if (q.threshold > 0 && q.depth >= q.threshold) out.push("over-threshold");
  // Paused from the console: nobody consumes it on purpose, which is still worth seeing while work waits.
  if (q.paused) out.push("paused");
  else if (q.consumers.length === 0 && q.depth > 0) out.push("no-consumer");
  if (q.orphaned > 0) out.push("orphaned");
  return out;
}

/** Queues over threshold, without consumers or with orphaned messages, across brokers, worst first. */
export function queueAlerts(brokers: readonly BrokerSummary[]): (QueueRow & { problems: QueueProblem[] })[] {
  return brokers
    .flatMap((b) => queueRows(b))
    .map((q) => ({ ...q, problems: queueProblems(q) }))
    .filter((q) => q.problems.length > 0 || q.status === "critical" || q.status === "warn")
    .sort(compareQueues);
}

export const PROBLEM_LABEL: Record<QueueProblem, string> = {
  "over-threshold": "over threshold",
  "no-consumer": "no consumer",
  paused: "paused",
  orphaned: "orphaned",
};
