import "server-only";
import { z } from "zod";
import { activeQueues, addConsumer, cancelConsumer, type Replies } from "@/server/celery/pidbox";
import type { BrokerConfig } from "@/server/config";
import { ConflictError } from "@/server/errors";
import { brokerConfig } from "@/server/sources/lookup";
import { addPausedWorkers, clearPause, getPause, recordPause } from "./pauses";
import { queueTarget } from "./queue";
import { refreshPauses } from "./pause-snapshot";
import type { ActionDef, Preview } from "./types";
import { workerTarget } from "./worker";

// Pause and resume a queue over Celery's remote control: pause tells every live worker that consumes the queue to
// cancel_consumer and records the pause (who, when, why, which workers) in the store; resume clears the record and
// sends add_consumer to those workers (and any the operator picks). Messages keep arriving while paused and wait in
// the queue: nothing is moved or lost. queue.enforce-pause is what the sampler runs, as the system actor, when a
// worker appears consuming a paused queue (a restart, a scale-out).

type QueueTarget = z.infer<typeof queueTarget>;
const label = (t: QueueTarget) => `${t.broker}/${t.queue}`;
const ASK_MS = 1500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** hostname -> the queues it consumes now, for every worker that answers active_queues. */
async function consumingNow(b: BrokerConfig, destination?: string[]): Promise<Map<string, string[]>> {
  const replies: Replies = await activeQueues(b, {
    timeoutMs: ASK_MS,
    ...(destination ? { destination } : {}),
  });
  const out = new Map<string, string[]>();
  for (const [host, reply] of Object.entries(replies)) {
    const names = Array.isArray(reply)
      ? reply.map((q) => (q as { name?: unknown })?.name).filter((n): n is string => typeof n === "string")
      : [];
    out.set(host, names);
  }
  return out;
}

const consumersOf = (now: Map<string, string[]>, queue: string) =>
  [...now].filter(([, qs]) => qs.includes(queue)).map(([h]) => h);

function replyLine(replies: Replies, host: string): string {
  const r = replies[host] as { ok?: unknown; error?: unknown } | undefined;
  if (!r) return `${host}: no reply`;
  if (typeof r.error === "string") return `${host}: ${r.error}`;
  return `${host}: ${typeof r.ok === "string" ? r.ok : "ok"}`;
}

/** Polls active_queues until `done` holds (pidbox changes land after the reply), about 6 s at most. */
async function waitForQueues(
  b: BrokerConfig,
  done: (now: Map<string, string[]>) => boolean,
  destination?: string[],
): Promise<{ ok: boolean; now: Map<string, string[]> }> {
  let now = new Map<string, string[]>();
  for (let i = 0; i < 6; i++) {
    now = await consumingNow(b, destination);
    if (done(now)) return { ok: true, now };
    await sleep(300);
  }
  return { ok: false, now };
}

const since = (ms: number) => new Date(ms).toISOString();

/** Who consumes what at preview: pause cancels the queue on `consumers`; `consuming` is recorded as the before. */
interface PauseState {
  consumers: string[];
  consuming: Record<string, string[]>;
}

const pauseAction: ActionDef<QueueTarget, Record<string, never>, PauseState> = {
  name: "queue.pause",
  title: "Pause the queue",
  role: "operator",
  destructive: false,
  target: queueTarget,
  params: z.object({}).strict(),
  targetLabel: label,
  async preview(t) {
    const b = brokerConfig(t.broker);
    const [paused, now] = await Promise.all([getPause(t.broker, t.queue), consumingNow(b)]);
    const consumers = consumersOf(now, t.queue);
    const warnings = [
      "Messages keep arriving and wait in the queue; nothing is moved or lost. Tasks a worker has already prefetched still run.",
      "While the queue is paused, a worker that starts consuming it (a restart, a scale-out) is told to stop too.",
    ];
    if (consumers.length === 0)
      warnings.unshift(
        `No live worker consumes ${t.queue} now: the pause only stops workers that start consuming it later.`,
      );
    for (const h of consumers)
      if (now.get(h)!.length === 1)
        warnings.push(`${h} consumes only ${t.queue}: it will consume nothing while paused.`);
    return {
      summary: `Stop every worker consuming ${t.queue} (${consumers.length ? consumers.join(", ") : "none now"}) until it is resumed.`,
      targets: [label(t), ...consumers.map((h) => `${t.broker}/${h}`)],
      changes: consumers.map((h) => ({
        what: `${h} consumes`,
        from: now.get(h),
        to: now.get(h)!.filter((q) => q !== t.queue),
      })),
      warnings,
      blockers: paused ? [`${t.queue} is paused already (by ${paused.by} since ${since(paused.since)}).`] : [],
      state: { consumers, consuming: Object.fromEntries(now) },
    } satisfies Preview<PauseState>;
  },
  async execute(t, _p, pv, ctx) {
    const b = brokerConfig(t.broker);
    const { consumers } = pv.state!;
    // Recorded first: a worker that appears while the cancels go out is caught by the enforcement pass.
    const pause = { broker: t.broker, queue: t.queue, by: ctx.actor, since: Date.now(), workers: consumers };
    if (!(await recordPause({ ...pause, reason: ctx.reason, auditId: ctx.auditId })))
      throw new ConflictError(`${t.queue} was paused by someone else meanwhile`);
    const replies = consumers.length
      ? await cancelConsumer(b, t.queue, { destination: consumers, timeoutMs: 3000 })
      : {};
    await refreshPauses();
    return {
      result: consumers.length ? consumers.map((h) => replyLine(replies, h)).join("; ") : "paused (no consumer now)",
      before: pv.state!.consuming,
      after: { paused: true, workers: consumers },
    };
  },
  async verify(t) {
    const b = brokerConfig(t.broker);
    const { ok, now } = await waitForQueues(b, (n) => consumersOf(n, t.queue).length === 0);
    const still = consumersOf(now, t.queue);
    return {
      ok,
      finding: ok
        ? `no live worker consumes ${t.queue} (${now.size} answered)`
        : `${still.join(", ")} still consume ${t.queue}`,
      observed: Object.fromEntries(now),
    };
  },
};

const resumeParams = z.object({
  /** Workers to start consuming the queue besides those the pause stopped (a list, or one text of names). */
  workers: z
    .preprocess(
      (v) => (typeof v === "string" ? v.split(/[\s,]+/).filter(Boolean) : v),
      z.array(workerTarget.shape.hostname).max(100),
    )
    .default([])
    .transform((w) => [...new Set(w)]),
});

/** The workers resume starts again (those of the pause, and those named, that answer), and who consumed what. */
interface ResumeState {
  workers: string[];
  consuming: Record<string, string[]>;
}

const resumeAction: ActionDef<QueueTarget, z.infer<typeof resumeParams>, ResumeState> = {
  name: "queue.resume",
  title: "Resume the queue",
  role: "operator",
  destructive: false,
  target: queueTarget,
  params: resumeParams,
  targetLabel: label,
  async preview(t, p) {
    const b = brokerConfig(t.broker);
    const [paused, now] = await Promise.all([getPause(t.broker, t.queue), consumingNow(b)]);
    const wanted = [...new Set([...(paused?.workers ?? []), ...p.workers])];
    const answering = wanted.filter((h) => now.has(h));
    const gone = wanted.filter((h) => !now.has(h));
    const warnings = [
      ...gone.map((h) => `${h} does not answer: it is not resumed (a restarted worker consumes its -Q queues again).`),
      `The backlog that built up while paused starts draining at once.`,
    ];
    if (answering.length === 0)
      warnings.unshift(`No worker will consume ${t.queue} after the resume: start one with -Q ${t.queue}.`);
    return {
      summary: paused
        ? `Resume ${t.queue} (paused by ${paused.by} since ${since(paused.since)}): ${answering.length ? answering.join(", ") : "no worker"} start consuming it again.`
        : `${t.queue} is not paused.`,
      targets: [label(t), ...answering.map((h) => `${t.broker}/${h}`)],
      changes: answering.map((h) => ({
        what: `${h} consumes`,
        from: now.get(h),
        to: [...new Set([...now.get(h)!, t.queue])],
      })),
      warnings,
      blockers: paused ? [] : [`${t.queue} is not paused.`],
      state: { workers: answering, consuming: Object.fromEntries(now) },
    } satisfies Preview<ResumeState>;
  },
  async execute(t, _p, pv) {
    const b = brokerConfig(t.broker);
    const { workers } = pv.state!;
    // Cleared first, so the enforcement pass stops cancelling before the workers start again.
    const was = await clearPause(t.broker, t.queue);
    if (!was) throw new ConflictError(`${t.queue} was resumed by someone else meanwhile`);
    await refreshPauses();
    const replies = workers.length ? await addConsumer(b, t.queue, { destination: workers, timeoutMs: 3000 }) : {};
    return {
      result: workers.length ? workers.map((h) => replyLine(replies, h)).join("; ") : "resumed (no worker to start)",
      before: { paused: was },
      after: { paused: false, workers },
    };
  },
  async verify(t, _p, pv) {
    const b = brokerConfig(t.broker);
    const { workers } = pv.state!;
    if (workers.length === 0) return { ok: true, finding: "the pause is cleared; no worker was to be started" };
    const { ok, now } = await waitForQueues(b, (n) => workers.every((h) => n.get(h)?.includes(t.queue)), workers);
    const missing = workers.filter((h) => !now.get(h)?.includes(t.queue));
    return {
      ok,
      finding: ok
        ? `${workers.join(", ")} consume ${t.queue} again`
        : `${missing.join(", ")} do not consume ${t.queue}`,
      observed: Object.fromEntries(now),
    };
  },
};

const enforceParams = z.object({ hostname: workerTarget.shape.hostname });

/** Run by the sampler as system:pause; an operator may run it too (the same check and the same audit). */
const enforceAction: ActionDef<QueueTarget, z.infer<typeof enforceParams>, { consuming: string[] }> = {
  name: "queue.enforce-pause",
  title: "Keep a paused queue paused on a worker",
  role: "operator",
  destructive: false,
  target: queueTarget,
  params: enforceParams,
  targetLabel: label,
  async preview(t, p) {
    const b = brokerConfig(t.broker);
    const [paused, now] = await Promise.all([getPause(t.broker, t.queue), consumingNow(b, [p.hostname])]);
    const blockers: string[] = [];
    if (!paused) blockers.push(`${t.queue} is not paused.`);
    if (!now.get(p.hostname)?.includes(t.queue)) blockers.push(`${p.hostname} does not consume ${t.queue}.`);
    return {
      summary: `${t.queue} is paused${paused ? ` (by ${paused.by} since ${since(paused.since)})` : ""}: tell ${p.hostname}, which consumes it, to stop.`,
      targets: [label(t), `${t.broker}/${p.hostname}`],
      changes: [
        {
          what: `${p.hostname} consumes`,
          from: now.get(p.hostname),
          to: now.get(p.hostname)?.filter((q) => q !== t.queue),
        },
      ],
      warnings: ["Resume the queue to start it again on this worker."],
      blockers,
      state: { consuming: now.get(p.hostname) ?? [] },
    } satisfies Preview<{ consuming: string[] }>;
  },
  async execute(t, p) {
    const b = brokerConfig(t.broker);
    // Added to the pause's workers first, so a resume starts this worker again too.
    if (!(await addPausedWorkers(t.broker, t.queue, [p.hostname])))
      throw new ConflictError(`${t.queue} was resumed meanwhile`);
    const replies = await cancelConsumer(b, t.queue, { destination: [p.hostname], timeoutMs: 3000 });
    await refreshPauses();
    return { result: replyLine(replies, p.hostname), before: { consuming: true }, after: { consuming: false } };
  },
  async verify(t, p) {
    const b = brokerConfig(t.broker);
    const { ok, now } = await waitForQueues(b, (n) => !n.get(p.hostname)?.includes(t.queue), [p.hostname]);
    return {
      ok,
      finding: ok
        ? `${p.hostname} consumes: ${now.get(p.hostname)?.join(", ") || "nothing"}`
        : `${p.hostname} still consumes ${t.queue}`,
      observed: now.get(p.hostname) ?? null,
    };
  },
};

export const pauseActions = [pauseAction, resumeAction, enforceAction];
