import "server-only";
import { z } from "zod";
import { withBroker } from "@/server/celery/connections";
import { readDepths } from "@/server/celery/depth";
import { layoutOf } from "@/server/celery/kombu-keys";
import { moveMessages } from "@/server/queue-ops/move";
import { requeueOrphans } from "@/server/queue-ops/orphans";
import { getQuarantine, listQuarantines, purgeToQuarantine, restoreQuarantine } from "@/server/queue-ops/quarantine";
import type { BrokerConfig } from "@/server/config";
import type { ActionDef, NoState, Preview } from "./types";
import { brokerConfig, liveQueue } from "@/server/sources/lookup";
import { currentOrphans } from "@/server/celery/sampler";
import { ConflictError } from "@/server/errors";
import { moveCountSchema, retentionSecondsSchema } from "@/server/schemas/queue-actions";
import type { MoveResult } from "@/server/queue-ops/move";
import type { RequeueResult } from "@/server/queue-ops/orphans";
import type { QuarantineRecord } from "@/server/queue-ops/quarantine";

// Queue actions: every move is per-message atomic (queue-ops' Lua scripts); nothing is ever deleted outright.
// A purge moves messages into a quarantine list kept for a retention period; restore moves them back.

const queueName = z
  .string()
  .min(1)
  .max(1024)
  .refine((q) => !/[\r\n]/.test(q), "must not contain line breaks");
export const queueTarget = z.object({ broker: z.string().min(1).max(64), queue: queueName });
type QueueTarget = z.infer<typeof queueTarget>;
const label = (t: QueueTarget) => `${t.broker}/${t.queue}`;
const layout = layoutOf;

async function depthOf(b: BrokerConfig, queue: string): Promise<{ depth: number; byPriority: Record<string, number> }> {
  const m = await withBroker(b, (r) => readDepths(r, layoutOf(b), [queue]));
  const d = m.get(queue);
  return { depth: d?.depth ?? 0, byPriority: d?.byPriority ?? {} };
}

const moveParams = z.object({
  to: queueName,
  // Empty (null) or absent means all.
  count: z
    .union([z.literal("all"), moveCountSchema])
    .nullish()
    .transform((v) => v ?? "all"),
  taskName: z.string().min(1).max(255).optional(),
});

/** The depths both queues had at preview: verify compares the target's depth now with its depth then. */
interface MoveState {
  fromDepth: number;
  toDepth: number;
}

const moveAction: ActionDef<QueueTarget, z.infer<typeof moveParams>, MoveState, MoveResult> = {
  name: "queue.move",
  title: "Move messages to another queue",
  role: "operator",
  destructive: false,
  target: queueTarget,
  params: moveParams,
  targetLabel: label,
  async preview(t, p) {
    const b = brokerConfig(t.broker);
    const [from, to] = await Promise.all([depthOf(b, t.queue), depthOf(b, p.to)]);
    const n = p.count === "all" ? from.depth : Math.min(p.count, from.depth);
    const blockers: string[] = [];
    if (p.to === t.queue) blockers.push("Source and target are the same queue.");
    if (from.depth === 0) blockers.push(`${t.queue} is empty.`);
    if (p.to.startsWith("leakwatch.quarantine.")) blockers.push("Use purge to quarantine a queue.");
    return {
      summary: `Move ${p.count === "all" ? "all" : `up to ${p.count}`} ${p.taskName ? `${p.taskName} ` : ""}messages from ${t.queue} to ${p.to}, keeping their priority.`,
      targets: [label(t), `${t.broker}/${p.to}`],
      changes: [
        { what: `depth of ${t.queue}`, from: from.depth, to: p.taskName ? `≥ ${from.depth - n}` : from.depth - n },
        { what: `depth of ${p.to}`, from: to.depth, to: p.taskName ? `≤ ${to.depth + n}` : to.depth + n },
      ],
      warnings: [
        ...(p.taskName ? [`Only messages of task ${p.taskName} move; the count is an upper bound.`] : []),
        "Producers and workers keep running: each message moves atomically, so none is lost or duplicated.",
        "Each moved message is re-addressed to its new queue (delivery_info), so if a worker dies holding it, kombu redelivers it there.",
        ...(liveQueue(t.broker, p.to)?.consumers.length
          ? []
          : [`Nobody consumes ${p.to}: moved messages wait there (a parking queue).`]),
      ],
      blockers,
      state: { fromDepth: from.depth, toDepth: to.depth },
    } satisfies Preview<MoveState>;
  },
  async execute(t, p, _pv, ctx) {
    const b = brokerConfig(t.broker);
    const total = p.count === "all" ? null : p.count;
    const r = await withBroker(b, (redis) =>
      moveMessages(redis, {
        ...layout(b),
        from: t.queue,
        to: p.to,
        count: p.count,
        taskName: p.taskName,
        signal: ctx.signal,
        onProgress: (pr) => ctx.progress(pr.moved, total, `moving from priority ${pr.step}`),
      }),
    );
    return { result: `${r.moved} moved${r.cancelled ? " (cancelled)" : ""}`, details: r, after: r.movedByPriority };
  },
  async verify(t, p, pv, exec) {
    const b = brokerConfig(t.broker);
    const to = await depthOf(b, p.to);
    const moved = exec.details!.moved;
    const { toDepth } = pv.state!;
    const expectedAtLeast = toDepth + moved;
    // Consumers of the target may already have taken some: the check is that the target got them, not a drain race.
    return {
      ok: moved > 0,
      finding: `${moved} moved; ${p.to} holds ${to.depth} now (had ${toDepth}, expected up to ${expectedAtLeast})`,
      observed: to,
    };
  },
};

const purgeParams = z.object({ retentionSeconds: retentionSecondsSchema });

/** The queue's (purge) or the quarantine's (restore) depth at preview, the total the progress counts toward. */
interface DepthState {
  depth: number;
}

const purgeAction: ActionDef<QueueTarget, z.infer<typeof purgeParams>, DepthState, QuarantineRecord> = {
  name: "queue.purge",
  title: "Purge to quarantine",
  role: "operator",
  destructive: true,
  target: queueTarget,
  params: purgeParams,
  // The confirmation is the queue's name as typed; the audit records broker/queue like every queue action.
  targetLabel: (t) => t.queue,
  auditTarget: async (t) => ({ target: label(t), targetId: null }),
  async preview(t, p) {
    const b = brokerConfig(t.broker);
    const d = await depthOf(b, t.queue);
    return {
      summary: `Move all ${d.depth} messages of ${t.queue} into a quarantine list kept ${Math.round(p.retentionSeconds / 86400)} days.`,
      targets: [label(t)],
      changes: [{ what: `depth of ${t.queue}`, from: d.depth, to: 0 }],
      warnings: [
        "Nothing is deleted: restore the quarantine to run the tasks later. Messages produced during the purge may also be taken.",
      ],
      blockers: d.depth === 0 ? [`${t.queue} is empty.`] : [],
      state: { depth: d.depth },
    } satisfies Preview<DepthState>;
  },
  async execute(t, p, pv, ctx) {
    const b = brokerConfig(t.broker);
    const rec = await withBroker(b, (redis) =>
      purgeToQuarantine(redis, {
        ...layout(b),
        queue: t.queue,
        retentionSeconds: p.retentionSeconds,
        signal: ctx.signal,
        onProgress: (pr) => ctx.progress(pr.moved, pv.state!.depth),
      }),
    );
    return {
      result: `${rec.count} messages quarantined in ${rec.quarantine} (${rec.state})`,
      after: rec,
      details: rec,
    };
  },
  async verify(t, _p, _pv, exec) {
    const b = brokerConfig(t.broker);
    const rec = exec.details!;
    const q = (await withBroker(b, (r) => listQuarantines(r, layout(b)))).find((x) => x.quarantine === rec.quarantine);
    return {
      ok: !!q && q.depth === rec.count,
      finding: `quarantine ${rec.quarantine} holds ${q?.depth ?? 0} of ${rec.count} messages`,
      observed: q,
    };
  },
};

const restoreParams = z.object({ quarantine: z.string().min(1).max(2048).startsWith("leakwatch.quarantine.") });

const restoreAction: ActionDef<QueueTarget, z.infer<typeof restoreParams>, DepthState> = {
  name: "queue.restore-quarantine",
  title: "Restore a quarantine",
  role: "operator",
  destructive: false,
  target: queueTarget,
  params: restoreParams,
  targetLabel: label,
  async preview(t, p) {
    const b = brokerConfig(t.broker);
    const rec = await withBroker(b, (r) => getQuarantine(r, b.globalKeyprefix, p.quarantine));
    const status = (await withBroker(b, (r) => listQuarantines(r, layout(b)))).find(
      (x) => x.quarantine === p.quarantine,
    );
    const blockers = rec.queue !== t.queue ? [`${p.quarantine} belongs to ${rec.queue}, not ${t.queue}.`] : [];
    if ((status?.depth ?? 0) === 0) blockers.push("The quarantine is empty.");
    return {
      summary: `Move ${status?.depth ?? 0} quarantined messages back to ${rec.queue}.`,
      targets: [label(t)],
      changes: [{ what: `depth of ${rec.queue}`, from: null, to: `+${status?.depth ?? 0}` }],
      warnings: ["Workers consuming the queue will run these tasks."],
      blockers,
      state: { depth: status?.depth ?? 0 },
    } satisfies Preview<DepthState>;
  },
  async execute(t, p, pv, ctx) {
    const b = brokerConfig(t.broker);
    const r = await withBroker(b, (redis) =>
      restoreQuarantine(redis, {
        ...layout(b),
        quarantine: p.quarantine,
        signal: ctx.signal,
        onProgress: (pr) => ctx.progress(pr.moved, pv.state!.depth),
      }),
    );
    return { result: `${r.moved} restored${r.cancelled ? " (cancelled)" : ""}`, details: r };
  },
  async verify(t, p) {
    const b = brokerConfig(t.broker);
    const q = (await withBroker(b, (r) => listQuarantines(r, layout(b)))).find((x) => x.quarantine === p.quarantine);
    return { ok: (q?.depth ?? 0) === 0, finding: `quarantine holds ${q?.depth ?? 0} messages now` };
  },
};

const requeueAction: ActionDef<QueueTarget, Record<string, never>, NoState, RequeueResult> = {
  name: "queue.requeue-orphans",
  title: "Requeue orphaned in-flight messages",
  role: "operator",
  destructive: false,
  target: queueTarget,
  params: z.object({}).strict(),
  targetLabel: label,
  async preview(t) {
    const b = brokerConfig(t.broker);
    // The same rule and the same set as the queue page's count and the alert (unacked.ts classify), asked afresh.
    const o = await currentOrphans(b);
    const orphaned = o.tags.length;
    const fanout = Object.entries(o.viaFanout).map(
      ([exchange, f]) =>
        `${f.entries} orphaned ${f.entries === 1 ? "entry belongs" : "entries belong"} to fanout exchange ${exchange}: like kombu's own restore, this pushes ${f.entries === 1 ? "it" : "them"} into the lists of every queue bound to it (${f.queues.join(", ")}), but workers consume a fanout queue over pub/sub and never read those lists, so ${f.entries === 1 ? "it" : "they"} will not run again from there (move them to a normal queue to run them).`,
    );
    return {
      summary:
        "Put unacked messages that no live worker holds back on their queues (as kombu's restore does, marked redelivered). Messages a live worker has reserved, scheduled, rate-limited or is running are never touched.",
      targets: [`${t.broker} (all queues: kombu's unacked set is broker-wide)`],
      changes: [
        { what: "orphaned in-flight (held by no live worker)", from: orphaned, to: 0 },
        ...Object.entries(o.byQueue).map(([q, n]) => ({ what: `orphaned of ${q}`, from: n, to: 0 })),
      ],
      warnings: [
        `kombu itself would restore ${o.kombuRestorable} entries older than the visibility timeout (${b.visibilityTimeoutSeconds} s) whether a worker holds them or not; this action requeues only the orphaned ones.`,
        "A worker that is alive but did not answer in time may still finish a requeued task: tasks must be idempotent (Celery's at-least-once delivery).",
        ...fanout,
      ],
      blockers: o.known ? [] : ["Not every live worker answered the pidbox: no entry can be proven orphaned."],
    } satisfies Preview<NoState>;
  },
  async execute(t) {
    const b = brokerConfig(t.broker);
    const o = await currentOrphans(b);
    if (!o.known) throw new ConflictError("not every live worker answered the pidbox: nothing was requeued");
    const r = await withBroker(b, (redis) =>
      requeueOrphans(redis, { ...layout(b), deliveryTags: o.tags, exchangeTypes: o.exchangeTypes }),
    );
    return { result: `${r.requeued} requeued`, details: r, after: r.byQueue };
  },
  async verify(_t, _p, _pv, exec) {
    const r = exec.details!;
    const malformed = r.malformed.length;
    const fanout = Object.entries(r.intoFanoutLists)
      .map(([q, n]) => `${n} into the list of fanout queue ${q}, which its workers do not read`)
      .join(", ");
    return {
      ok: r.unroutable.length === 0 && malformed === 0,
      finding: `${r.requeued} requeued${r.unroutable.length ? `; ${r.unroutable.length} unroutable left in unacked` : ""}${malformed ? `; ${malformed} malformed entries skipped and left in unacked` : ""}${fanout ? `; ${fanout}` : ""}`,
    };
  },
};

export const queueActions = [moveAction, purgeAction, restoreAction, requeueAction];

/** A queue's quarantines for its page (read-only; restoring them is the action above). queue-ops stays behind this module. */
export async function quarantinesOf(broker: string, queue: string) {
  const b = brokerConfig(broker);
  const all = await withBroker(b, (r) => listQuarantines(r, layout(b)));
  return all.filter((x) => x.queue === queue);
}
