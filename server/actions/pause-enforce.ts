import "server-only";
import { errorMessage } from "@/server/errors";
import { log } from "@/server/log";
import type { BrokerSummary, QueuePause } from "@/server/schemas/queues";
import { runAction, type ActionOutcome } from "./run";
import { processState } from "@/server/process-state";

// Keeps paused queues paused: after each queue pass, a worker that the pass saw consuming a paused queue (started
// after the pause, restarted with its -Q list, or scaled out) is told to cancel_consumer through the one action
// path, as the system actor, so each one is audited like the time-box reverts are. The action's preview asks the
// worker afresh and refuses (nothing audited) when it no longer consumes the queue or the queue was resumed.

const PAUSE_ACTOR = { username: "system:pause", role: "operator", ip: null } as const;

const inFlight = () => processState("actions/pause-enforcing", () => new Set<string>());

export interface Enforced {
  queue: string;
  hostname: string;
  outcome: ActionOutcome | null;
  /** Why nothing ran (a refused preview: the worker stopped on its own, or the queue was resumed). */
  skipped: string | null;
}

/** Tells every worker this pass saw consuming a paused queue to stop; one attempt per worker and queue at a time. */
export async function enforcePauses(summary: BrokerSummary, pauses: readonly QueuePause[]): Promise<Enforced[]> {
  if (!summary.ok || summary.workersPending) return [];
  const paused = new Map(pauses.filter((p) => p.broker === summary.name).map((p) => [p.queue, p]));
  const todo = summary.queues.flatMap((q) => {
    const p = paused.get(q.name);
    return p ? q.consumers.map((hostname) => ({ queue: q.name, hostname, pause: p })) : [];
  });
  const done: Enforced[] = [];
  for (const { queue, hostname, pause } of todo) {
    const key = JSON.stringify([summary.name, queue, hostname]);
    const enforcing = inFlight();
    if (enforcing.has(key)) continue;
    enforcing.add(key);
    try {
      const outcome = await runAction(
        {
          action: "queue.enforce-pause",
          target: { broker: summary.name, queue },
          params: { hostname },
          reason: `${queue} is paused (by ${pause.by}, audit ${pause.auditId}); ${hostname} started consuming it`,
        },
        PAUSE_ACTOR,
        // Keeping a pause is keeping the state the operator chose: it runs in read-only mode too, like a revert.
        { systemRevert: true },
      );
      done.push({ queue, hostname, outcome, skipped: null });
    } catch (e) {
      // A refused preview (409) is the normal end of a race; anything else is worth a line in the log.
      const code = (e as { code?: unknown } | null)?.code;
      if (code !== "conflict") log.warn({ err: e, queue, hostname }, "could not keep a paused queue paused");
      done.push({ queue, hostname, outcome: null, skipped: errorMessage(e) });
    } finally {
      inFlight().delete(key);
    }
  }
  return done;
}
