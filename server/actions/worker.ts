import "server-only";
import { z } from "zod";
import {
  activeQueues,
  addConsumer,
  autoscale,
  cancelConsumer,
  poolGrow,
  poolShrink,
  rateLimit,
  revoke,
  revoked,
  shutdown,
  stats,
} from "@/server/celery/pidbox";
import { poolKind } from "@/server/celery/workers";
import { brokerConfig } from "@/server/sources/lookup";
import type { ActionDef, Preview } from "./types";
import { autoscaleParams, poolResizeParams } from "@/server/schemas/worker-actions";

// Worker actions over Celery's remote control. Previews ask the worker first: does it answer, which pool,
// is autoscale on. Verify reads the state back the same way. Commands go through pidbox's typed wrappers, which
// spell celery's argument names in one place.

export const workerTarget = z.object({
  broker: z.string().min(1).max(64),
  hostname: z
    .string()
    .min(1)
    .max(255)
    .regex(/^[^\s]+@[^\s]+$/, "is not a Celery worker hostname (name@host)"),
});
type WorkerTarget = z.infer<typeof workerTarget>;
const label = (t: WorkerTarget) => `${t.broker}/${t.hostname}`;

type Obj = Record<string, unknown>;
interface WorkerFacts {
  answers: boolean;
  pool: string | null;
  concurrency: number | null;
  autoscale: boolean;
  queues: string[];
  processes: number;
}

async function facts(t: WorkerTarget): Promise<WorkerFacts> {
  const b = brokerConfig(t.broker);
  const ask = { destination: [t.hostname], timeoutMs: 2000 };
  const [statsReply, queues] = await Promise.all([stats(b, ask), activeQueues(b, ask)]);
  const s = statsReply[t.hostname] as Obj | undefined;
  if (!s) return { answers: false, pool: null, concurrency: null, autoscale: false, queues: [], processes: 0 };
  const pool = (s.pool ?? {}) as Obj;
  const q = Array.isArray(queues[t.hostname]) ? (queues[t.hostname] as Obj[]).map((x) => String(x.name)) : [];
  const procs = Array.isArray(pool.processes) ? pool.processes.length : 0;
  return {
    answers: true,
    pool: poolKind(pool),
    concurrency: typeof pool["max-concurrency"] === "number" ? pool["max-concurrency"] : null,
    autoscale: Boolean(s.autoscaler),
    queues: q,
    processes: procs,
  };
}

/** A worker's reply to a control command as text; throws when it did not reply or replied with an error. */
export function replyOf(replies: Record<string, unknown>, host: string): string {
  const r = replies[host] as Obj | undefined;
  if (!r) throw new Error(`${host} did not reply`);
  if (typeof r.error === "string") throw new Error(`${host}: ${r.error}`);
  return typeof r.ok === "string" ? r.ok : JSON.stringify(r);
}

/** Every worker action's preview keeps what the worker said about itself, for execute and verify. */
type WorkerState = { facts: WorkerFacts };

function base(
  f: WorkerFacts,
  t: WorkerTarget,
  summary: string,
  extra: Partial<Preview<WorkerState>> = {},
): Preview<WorkerState> {
  return {
    summary,
    targets: [label(t)],
    changes: [],
    warnings: [],
    blockers: f.answers ? [] : [`${t.hostname} does not answer on ${t.broker} (gone, or busy past 2 s).`],
    state: { facts: f },
    ...extra,
  };
}

const GROWABLE = new Set(["prefork", "eventlet", "gevent"]);

function poolResize(kind: "grow" | "shrink"): ActionDef<WorkerTarget, z.infer<typeof poolResizeParams>, WorkerState> {
  return {
    name: `worker.pool-${kind}`,
    title: kind === "grow" ? "Grow the pool" : "Shrink the pool",
    role: "operator",
    destructive: false,
    target: workerTarget,
    params: poolResizeParams,
    targetLabel: label,
    async preview(t, p) {
      const f = await facts(t);
      const to = f.concurrency === null ? null : f.concurrency + (kind === "grow" ? p.n : -p.n);
      const pv = base(f, t, `${kind === "grow" ? "Grow" : "Shrink"} ${t.hostname}'s ${f.pool ?? "?"} pool by ${p.n}.`, {
        changes: [{ what: "concurrency", from: f.concurrency, to }],
      });
      if (f.answers && f.pool && !GROWABLE.has(f.pool))
        pv.blockers.push(`The ${f.pool} pool cannot ${kind}; only prefork, eventlet and gevent can.`);
      if (f.autoscale) pv.blockers.push("Autoscale is on: change the autoscale range instead.");
      if (kind === "shrink" && to !== null && to < 1) pv.blockers.push("A pool cannot shrink below one.");
      if (kind === "grow")
        pv.warnings.push(
          "More concurrency means more threads or processes in the container: check its pids headroom first.",
        );
      else pv.warnings.push("Fewer slots: intake drops, the backlog may grow.");
      return pv;
    },
    async execute(t, p, pv) {
      const r = await (kind === "grow" ? poolGrow : poolShrink)(brokerConfig(t.broker), p.n, {
        destination: [t.hostname],
        timeoutMs: 3000,
      });
      return { result: replyOf(r, t.hostname), before: pv.state!.facts.concurrency };
    },
    async verify(t, _p, pv) {
      const before = pv.state!.facts;
      // Pool changes land asynchronously; give the worker a moment before reading back.
      for (let i = 0; i < 10; i++) {
        const f = await facts(t);
        const moved = kind === "grow" ? f.processes > before.processes : f.processes < before.processes;
        if (moved || (f.pool !== "prefork" && f.answers))
          return { ok: true, finding: `${f.processes} pool processes now (was ${before.processes})`, observed: f };
        await new Promise((r) => setTimeout(r, 500));
      }
      return { ok: false, finding: "the pool size did not change within 5 s" };
    },
  };
}

const autoscaleAction: ActionDef<WorkerTarget, z.infer<typeof autoscaleParams>> = {
  name: "worker.autoscale",
  title: "Set the autoscale range",
  role: "operator",
  destructive: false,
  target: workerTarget,
  params: autoscaleParams,
  targetLabel: label,
  async preview(t, p) {
    const f = await facts(t);
    const pv = base(f, t, `Set ${t.hostname}'s autoscale range to ${p.min}..${p.max}.`, {
      changes: [{ what: "autoscale", from: null, to: [p.max, p.min] }],
    });
    if (f.answers && !f.autoscale)
      pv.blockers.push("Autoscale is not enabled on this worker (start it with --autoscale).");
    return pv;
  },
  async execute(t, p) {
    const r = await autoscale(brokerConfig(t.broker), p.max, p.min, { destination: [t.hostname], timeoutMs: 3000 });
    return { result: replyOf(r, t.hostname) };
  },
  async verify(t) {
    const f = await facts(t);
    return {
      ok: f.answers && f.autoscale,
      finding: f.answers ? "worker answers with autoscale on" : "worker does not answer",
    };
  },
};

const queueParams = z.object({ queue: z.string().min(1).max(1024) });

function consumerAction(kind: "add" | "cancel"): ActionDef<WorkerTarget, z.infer<typeof queueParams>> {
  return {
    name: `worker.${kind}-consumer`,
    title: kind === "add" ? "Add a consumer" : "Cancel a consumer",
    role: "operator",
    destructive: false,
    target: workerTarget,
    params: queueParams,
    targetLabel: label,
    async preview(t, p) {
      const f = await facts(t);
      const has = f.queues.includes(p.queue);
      const pv = base(f, t, `${kind === "add" ? "Start" : "Stop"} consuming ${p.queue} on ${t.hostname}.`, {
        changes: [
          {
            what: "queues",
            from: f.queues,
            to: kind === "add" ? [...new Set([...f.queues, p.queue])] : f.queues.filter((q) => q !== p.queue),
          },
        ],
      });
      if (f.answers && kind === "add" && has) pv.blockers.push(`${t.hostname} consumes ${p.queue} already.`);
      if (f.answers && kind === "cancel" && !has) pv.blockers.push(`${t.hostname} does not consume ${p.queue}.`);
      if (kind === "cancel")
        pv.warnings.push("Messages already prefetched by this worker still run; new ones wait for another consumer.");
      return pv;
    },
    async execute(t, p) {
      const r = await (kind === "add" ? addConsumer : cancelConsumer)(brokerConfig(t.broker), p.queue, {
        destination: [t.hostname],
        timeoutMs: 3000,
      });
      return { result: replyOf(r, t.hostname) };
    },
    async verify(t, p) {
      for (let i = 0; i < 10; i++) {
        const f = await facts(t);
        const has = f.queues.includes(p.queue);
        if (has === (kind === "add"))
          return { ok: true, finding: `${t.hostname} consumes: ${f.queues.join(", ")}`, observed: f.queues };
        await new Promise((r) => setTimeout(r, 300));
      }
      return { ok: false, finding: `${t.hostname}'s queues did not change within 3 s` };
    },
  };
}

const rateParams = z.object({
  task: z.string().min(1).max(255),
  rate: z.string().regex(/^(\d+(\.\d+)?\/[smh]|\d+(\.\d+)?|0)$/, 'is not a Celery rate like "10/m"'),
});

const rateLimitAction: ActionDef<WorkerTarget, z.infer<typeof rateParams>> = {
  name: "worker.rate-limit",
  title: "Set a task rate limit",
  role: "operator",
  destructive: false,
  target: workerTarget,
  params: rateParams,
  targetLabel: label,
  async preview(t, p) {
    return base(await facts(t), t, `Limit ${p.task} to ${p.rate} on ${t.hostname}.`, {
      changes: [{ what: `rate_limit(${p.task})`, from: null, to: p.rate }],
    });
  },
  async execute(t, p) {
    const r = await rateLimit(brokerConfig(t.broker), p.task, p.rate, { destination: [t.hostname], timeoutMs: 3000 });
    return { result: replyOf(r, t.hostname) };
  },
  async verify(_t, _p, _pv, exec) {
    return { ok: /rate limit|new rate/i.test(exec.result), finding: exec.result };
  },
};

const revokeParams = z.object({
  taskId: z
    .string()
    .uuid()
    .or(z.string().regex(/^[A-Za-z0-9_.:-]{1,255}$/)),
  terminate: z.boolean().default(false),
});

const revokeAction: ActionDef<WorkerTarget, z.infer<typeof revokeParams>> = {
  name: "worker.revoke",
  title: "Revoke a task",
  role: "operator",
  destructive: true,
  target: workerTarget,
  params: revokeParams,
  targetLabel: (t) => t.hostname,
  async preview(t, p) {
    const pv = base(await facts(t), t, `Revoke task ${p.taskId}${p.terminate ? " and terminate it if running" : ""}.`, {
      changes: [{ what: "revoked", from: null, to: p.taskId }],
    });
    if (p.terminate)
      pv.warnings.push("Terminate kills the pool process running the task (SIGTERM); its other work is lost.");
    return pv;
  },
  async execute(t, p) {
    const r = await revoke(brokerConfig(t.broker), p.taskId, p.terminate, "SIGTERM", {
      destination: [t.hostname],
      timeoutMs: 3000,
    });
    return { result: replyOf(r, t.hostname) };
  },
  async verify(t, p) {
    const r = await revoked(brokerConfig(t.broker), { destination: [t.hostname], timeoutMs: 2000 });
    const ids = r[t.hostname];
    const ok = Array.isArray(ids) && ids.includes(p.taskId);
    return {
      ok,
      finding: ok ? "the worker lists the task as revoked" : "the worker does not list the task as revoked",
    };
  },
};

const shutdownAction: ActionDef<WorkerTarget, Record<string, never>> = {
  name: "worker.shutdown",
  title: "Shut the worker down",
  role: "operator",
  destructive: true,
  target: workerTarget,
  params: z.object({}).strict(),
  targetLabel: (t) => t.hostname,
  async preview(t) {
    const f = await facts(t);
    return base(f, t, `Warm shutdown of ${t.hostname}: it finishes running tasks and exits.`, {
      noReply: true,
      changes: [{ what: "worker", from: "running", to: "stopped" }],
      warnings: [
        "A shutdown gets no reply: verify checks that the worker stops answering. Its container may restart it (restart policy).",
      ],
    });
  },
  async execute(t) {
    await shutdown(brokerConfig(t.broker), { destination: [t.hostname] }, "shutdown requested from Leakwatch");
    return { result: "shutdown sent (no reply expected)" };
  },
  async verify(t) {
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      const f = await facts(t);
      if (!f.answers) return { ok: true, finding: `${t.hostname} no longer answers` };
    }
    return { ok: false, finding: `${t.hostname} still answers after 10 s (long tasks still running?)` };
  },
};

export const workerActions = [
  poolResize("grow"),
  poolResize("shrink"),
  autoscaleAction,
  consumerAction("add"),
  consumerAction("cancel"),
  rateLimitAction,
  revokeAction,
  shutdownAction,
];
