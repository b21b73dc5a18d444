import "server-only";
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { z } from "zod";
import { resultBackendTarget, withBroker } from "@/server/celery/connections";
import { layoutOf, queueKey, stepForPriority, unackedKeys } from "@/server/celery/kombu-keys";
import { taskMessage } from "@/server/celery/publish";
import { metaPrefix } from "@/server/celery/results";
import type { BrokerConfig } from "@/server/config";
import type { TaskFailuresTable } from "@/server/db/schema";
import { getFailure, markRetried } from "@/server/failures/store";
import { retryBlocker } from "@/server/failures/view";
import { flushSeenMessages, getSeenMessage, noteSeenMessage } from "@/server/failures/seen";
import { reissueEnvelope } from "@/server/celery/reissue";
import { brokerConfig, liveQueue } from "@/server/sources/lookup";
import type { ActionDef } from "./types";

// Retry of failed tasks recorded from a result backend: each is re-published as a new Celery task (a new id, the
// same name, args, kwargs and queue), LPUSHed onto the queue's list as kombu's Redis transport delivers on the
// default exchange. The message is rebuilt from the backend's result_extended record when it has one, or else
// re-issued from the message the console saw in the queue before the task ran (server/failures/seen.ts; its
// priority kept, see server/celery/reissue.ts). Verify finds each new message in the queue, or already taken by a
// worker (kombu's unacked hash) or finished (its own result key).

const MAX_TASKS = 100;
const taskId = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^\s]+$/, "must not contain spaces");
const taskRetryTarget = z.object({
  broker: z.string().min(1).max(64),
  taskIds: z
    .array(taskId)
    .min(1)
    .max(MAX_TASKS)
    .refine((ids) => new Set(ids).size === ids.length, "lists a task twice"),
});
type Target = z.infer<typeof taskRetryTarget>;
const label = (t: Target) =>
  t.taskIds.length === 1 ? `${t.broker}/task ${t.taskIds[0]}` : `${t.broker}/${t.taskIds.length} tasks`;

interface PlannedBase {
  from: string;
  name: string;
  queue: string;
  priority: number;
  /** Where the name, arguments and queue come from, in words for the preview. */
  source: string;
}
/** Rebuilt from what the result backend recorded with result_extended. */
interface FromResult extends PlannedBase {
  kind: "result";
  args: unknown[];
  kwargs: Record<string, unknown>;
}
/** Re-issued from the message the console saw in the queue before the task ran (server/failures/seen.ts). */
interface FromSeen extends PlannedBase {
  kind: "seen";
  envelope: string;
}
type Planned = FromResult | FromSeen;
interface Published {
  from: string;
  id: string;
  queue: string;
  priority: number;
  raw: string;
  deliveryTag: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

async function plan(broker: string, row: TaskFailuresTable): Promise<Planned | string> {
  if (row.status === "RETRY")
    return `task ${row.task_id} is in state RETRY: Celery will run it again by itself (retrying now would run it twice)`;
  if (!retryBlocker(row))
    return {
      kind: "result",
      from: row.task_id,
      name: row.task_name!,
      queue: row.queue!,
      priority: 0,
      source: "the result backend's record (result_extended)",
      args: JSON.parse(row.args!) as unknown[],
      kwargs: JSON.parse(row.kwargs!) as Record<string, unknown>,
    };
  const seen = await getSeenMessage(broker, row.task_id);
  if (!seen) return `task ${row.task_id}: ${retryBlocker(row, false)}`;
  return {
    kind: "seen",
    from: row.task_id,
    name: seen.task_name,
    queue: seen.queue,
    priority: seen.priority,
    source: `the message seen in queue ${seen.queue} at ${iso(Number(seen.seen_at))}`,
    envelope: seen.envelope,
  };
}

const retryAction: ActionDef<Target, Record<string, never>, { planned: Planned[] }, Published[]> = {
  name: "task.retry",
  title: "Retry failed tasks",
  role: "operator",
  destructive: false,
  target: taskRetryTarget,
  params: z.object({}).strict(),
  targetLabel: label,
  async preview(t) {
    brokerConfig(t.broker);
    const planned: Planned[] = [];
    const refused: string[] = [];
    const already: string[] = [];
    for (const id of t.taskIds) {
      const row = await getFailure(t.broker, id);
      if (!row) {
        refused.push(`task ${id}: no failure of it is recorded on ${t.broker}`);
        continue;
      }
      if (row.retried_as) already.push(`${id} was already retried as ${row.retried_as}`);
      const p = await plan(t.broker, row);
      if (typeof p === "string") refused.push(p);
      else planned.push(p);
    }
    const queues = [...new Set(planned.map((p) => p.queue))];
    const idle = queues.filter((q) => !liveQueue(t.broker, q)?.consumers.length);
    // Celery records the delivery routing key as `queue`: the queue's name only with default routing.
    const configured = brokerConfig(t.broker).queues;
    const unknown = queues.filter((q) => !liveQueue(t.broker, q) && !configured.includes(q));
    const single = t.taskIds.length === 1;
    const names = [...new Set(planned.map((p) => p.name))];
    return {
      summary: `Publish ${planned.length === 1 ? "a new task" : `${planned.length} new tasks`} (${names.join(", ") || "none"}) with the same name, arguments and queue as the failed ${single ? "one" : "ones"} (${queues.join(", ") || "no queue"}), rebuilt from ${planned.length === 1 ? planned[0]!.source : sourcesOf(planned)}.`,
      targets: planned.map(
        (p) =>
          `${t.broker}/${p.queue}: ${p.name} (was ${p.from}; from ${p.source}${p.priority ? `, priority ${p.priority}` : ""})`,
      ),
      changes: queues.map((q) => ({
        what: `messages published to ${q}`,
        from: 0,
        to: planned.filter((p) => p.queue === q).length,
      })),
      warnings: [
        "Each task runs again with the same arguments under a new task id: a task that is not idempotent repeats its side effects.",
        ...already.map((a) => `${a}; retrying again runs it once more.`),
        ...(planned.some((p) => p.kind === "seen")
          ? [
              "A task re-issued from the message seen in its queue keeps that message's headers, priority and workflow links (callbacks, chain) under a new id; its eta and expiry are dropped, so it runs now.",
            ]
          : []),
        ...(single ? [] : refused.map((r) => `Skipped: ${r}`)),
        ...unknown.map(
          (q) =>
            `${q} is not a queue the console knows on ${t.broker}: Celery records the routing key as the queue, which differs from the queue's name under custom routing. The message goes to a list named ${q}.`,
        ),
        ...idle
          .filter((q) => !unknown.includes(q))
          .map((q) => `Nobody consumes ${q} now: the new message waits there until a worker does.`),
      ],
      blockers: single
        ? refused
        : planned.length === 0
          ? ["None of the selected tasks can be retried.", ...refused]
          : [],
      state: { planned },
    };
  },
  async execute(t, _p, pv, ctx) {
    const b = brokerConfig(t.broker);
    const layout = layoutOf(b);
    const { planned } = pv.state!;
    const published: Published[] = [];
    await withBroker(b, async (redis) => {
      for (const p of planned) {
        const m =
          p.kind === "result"
            ? taskMessage({ name: p.name, args: p.args, kwargs: p.kwargs, queue: p.queue, parentId: p.from })
            : reissueEnvelope(p.envelope, { id: randomUUID(), deliveryTag: randomUUID(), origin: PRODUCER });
        // The list of the message's priority, as kombu's _put chooses it (0 for a message rebuilt without one).
        await redis.lpush(queueKey(layout, p.queue, stepForPriority(p.priority, layout.prioritySteps)), m.raw);
        published.push({
          from: p.from,
          id: m.id,
          queue: p.queue,
          priority: p.priority,
          raw: m.raw,
          deliveryTag: m.deliveryTag,
        });
        await markRetried(t.broker, p.from, m.id, ctx.actor);
        // The console wrote this message, so it has seen it: should the new task fail too, it can be retried again
        // without result_extended.
        noteSeenMessage(t.broker, p.queue, m.raw);
        ctx.progress(published.length, planned.length);
      }
    });
    await flushSeenMessages(t.broker);
    return {
      result: published.map((x) => `${x.from} → ${x.id} on ${x.queue}`).join("; "),
      details: published,
      after: published.map(({ from, id, queue }) => ({ from, id, queue })),
    };
  },
  async verify(t, _p, _pv, exec) {
    const b = brokerConfig(t.broker);
    const published = exec.details!;
    const where: Record<string, string> = {};
    // A worker may take a message between two of the three looks (after its ack it is in no list until its result
    // is written), so the looks repeat for a short while until each new task is found.
    for (let attempt = 0; attempt < VERIFY_ATTEMPTS; attempt++) {
      await locate(
        b,
        published.filter((x) => !where[x.id]),
        where,
      );
      if (published.every((x) => where[x.id])) break;
      await new Promise((r) => setTimeout(r, VERIFY_PAUSE_MS));
    }
    const seen = published.filter((x) => where[x.id]);
    return {
      ok: published.length > 0 && seen.length === published.length,
      finding:
        published.length === 0
          ? "nothing was published"
          : `${seen.length} of ${published.length} new tasks found: ${published.map((x) => `${x.id} ${where[x.id] ?? "not found in the queue, unacked or the result backend"}`).join("; ")}`,
      observed: where,
    };
  },
};

/** The producer named in a re-issued message's origin header (Celery writes its node name there). */
const PRODUCER = `leakwatch@${hostname()}`;

/** "the result backend's record" and/or "the messages seen in their queues", for the preview's summary. */
function sourcesOf(planned: Planned[]): string {
  const kinds = new Set(planned.map((p) => p.kind));
  const words = [
    kinds.has("result") && "the result backend's records (result_extended)",
    kinds.has("seen") && "the messages the console saw in their queues before they ran",
  ].filter(Boolean);
  return words.join(" and ") || "nothing";
}

const VERIFY_ATTEMPTS = 20;
const VERIFY_PAUSE_MS = 150;

/** Where each new message is now: waiting in its queue, held by a worker (unacked), or run (its result key). */
async function locate(b: BrokerConfig, todo: Published[], where: Record<string, string>): Promise<void> {
  if (todo.length === 0) return;
  const layout = layoutOf(b);
  await withBroker(b, async (redis) => {
    for (const x of todo) {
      const key = queueKey(layout, x.queue, stepForPriority(x.priority, layout.prioritySteps));
      // LPOS (Redis 6.0.6+) finds the exact message pushed; on an older Redis the other two looks still answer.
      const pos = await redis.call("LPOS", key, x.raw).catch(() => null);
      if (pos !== null) where[x.id] = `waiting in ${x.queue}`;
      else if (await redis.hexists(unackedKeys(layout).unacked, x.deliveryTag))
        where[x.id] = "taken by a worker (unacked)";
    }
  });
  const backend = resultBackendTarget(b);
  const left = todo.filter((x) => !where[x.id]);
  if (!backend || left.length === 0) return;
  await withBroker(backend, async (r) => {
    for (const x of left) {
      const raw = await r.get(`${metaPrefix(b)}${x.id}`);
      if (raw) where[x.id] = `run by a worker (${/"status":\s*"(\w+)"/.exec(raw)?.[1] ?? "state unknown"})`;
    }
  });
}

export const taskActions = [retryAction];
