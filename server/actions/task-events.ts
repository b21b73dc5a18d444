import "server-only";
import { z } from "zod";
import { setTaskEvents, stats } from "@/server/celery/pidbox";
import { brokerConfig } from "@/server/sources/lookup";
import { eventsStatus } from "@/server/tasks/pass";
import type { ActionDef, NoState, Preview } from "./types";
import { replyOf, workerTarget } from "./worker";

// Turning a worker's task events on and off with Celery's enable_events / disable_events remote control commands.
// Celery 5.2 (celery/worker/control.py) adds or removes the "task" group of the worker's event dispatcher. A worker
// started with -E (worker_send_task_events) has no group filter at all, so disable_events cannot switch it off: it
// answers "task events already disabled" and keeps sending. The preview and verify say so instead of claiming success.

type WorkerTarget = z.infer<typeof workerTarget>;
type Obj = Record<string, unknown>;

/** Events Celery 5.2 sends per task: received, started, then succeeded or failed (task-sent comes from producers). */
const EVENTS_PER_TASK = 3;
/** A task event seen from the worker this recently means its events are on. */
const RECENT_MS = 10 * 60_000;

interface EventFacts {
  answers: boolean;
  tasksPerMinute: number | null;
  lastTaskEventMs: number | null;
}

async function eventFacts(t: WorkerTarget): Promise<EventFacts> {
  const reply = (await stats(brokerConfig(t.broker), { destination: [t.hostname], timeoutMs: 2000 }))[t.hostname] as
    Obj | undefined;
  const last = eventsStatus(t.broker).hosts[t.hostname] ?? null;
  if (!reply) return { answers: false, tasksPerMinute: null, lastTaskEventMs: last };
  const total = (reply.total ?? {}) as Record<string, number>;
  const done = Object.values(total).reduce((n, v) => n + (typeof v === "number" ? v : 0), 0);
  const uptime = typeof reply.uptime === "number" && reply.uptime > 0 ? reply.uptime : null;
  return {
    answers: true,
    tasksPerMinute: uptime ? Math.round((done / uptime) * 60 * 10) / 10 : null,
    lastTaskEventMs: last,
  };
}

function costNote(f: EventFacts): string {
  const rate =
    f.tasksPerMinute === null
      ? "at this worker's task rate"
      : `at this worker's average since it started (${f.tasksPerMinute} tasks/min), about ${Math.ceil(
          f.tasksPerMinute * EVENTS_PER_TASK,
        )} events/min`;
  return (
    `Cost: the worker PUBLISHes ${EVENTS_PER_TASK} event messages per task (received, started, succeeded or failed; ` +
    `task-received carries the task's args and kwargs as text), ${rate}. Redis keeps none of them; each goes to every ` +
    "subscriber of the broker (this console, Flower, exporters), so broker CPU and network grow with the task rate."
  );
}

// Nothing passes from preview to execute: execute only sends the command.
function eventsAction(kind: "enable" | "disable"): ActionDef<WorkerTarget, Record<string, never>, NoState> {
  const on = kind === "enable";
  return {
    name: `worker.${kind}-events`,
    title: kind === "enable" ? "Turn task events on" : "Turn task events off",
    role: "operator",
    destructive: false,
    target: workerTarget,
    params: z.object({}).strict(),
    targetLabel: (t) => `${t.broker}/${t.hostname}`,
    async preview(t) {
      const f = await eventFacts(t);
      const seen = f.lastTaskEventMs !== null && Date.now() - f.lastTaskEventMs < RECENT_MS;
      const pv: Preview<NoState> = {
        summary:
          kind === "enable"
            ? `Send enable_events to ${t.hostname}: it starts sending task events (timings on the queue and task views).`
            : `Send disable_events to ${t.hostname}: it stops sending task events (timings stop updating).`,
        targets: [`${t.broker}/${t.hostname}`],
        changes: [
          {
            what: "task events",
            from: seen ? "seen lately" : "none seen lately",
            to: kind === "enable" ? "on" : "off",
          },
        ],
        warnings: [],
        blockers: f.answers ? [] : [`${t.hostname} does not answer on ${t.broker} (gone, or busy past 2 s).`],
      };
      if (kind === "enable") {
        pv.warnings.push(costNote(f));
        pv.warnings.push(
          "Until the worker restarts: a restarted worker sends task events only if started with -E (worker_send_task_events).",
        );
      } else
        pv.warnings.push(
          'A worker started with -E (worker_send_task_events) cannot be switched off remotely: Celery 5.2\'s disable_events only removes what enable_events added, and such a worker answers "already disabled" and keeps sending.',
        );
      return pv;
    },
    async execute(t) {
      const r = await setTaskEvents(brokerConfig(t.broker), on, { destination: [t.hostname], timeoutMs: 3000 });
      return { result: replyOf(r, t.hostname) };
    },
    async verify(t, _p, _pv, exec) {
      if (kind === "enable") {
        // enable_events is idempotent: asked again, a worker whose task events are on answers "already enabled".
        const again = replyOf(
          await setTaskEvents(brokerConfig(t.broker), on, { destination: [t.hostname], timeoutMs: 3000 }),
          t.hostname,
        );
        const ok = /already enabled/.test(again);
        return {
          ok,
          finding: ok
            ? `${t.hostname} sends task events (it says "${again}"); timings appear when it runs tasks`
            : `${t.hostname} answered "${again}"`,
        };
      }
      const last = eventsStatus(t.broker).hosts[t.hostname] ?? null;
      if (/task events disabled/.test(exec.result) && !/already/.test(exec.result))
        return { ok: true, finding: `${t.hostname} stopped sending task events ("${exec.result}")` };
      const recent = last !== null && Date.now() - last < RECENT_MS;
      return recent
        ? {
            ok: false,
            finding: `${t.hostname} says "${exec.result}" but sent task events ${Math.round((Date.now() - last) / 1000)} s ago: it was started with -E, which disable_events cannot switch off`,
          }
        : {
            ok: true,
            finding: `${t.hostname} says "${exec.result}" and sent no task events lately (if it was started with -E and is idle, it will still send them)`,
          };
    },
  };
}

export const taskEventActions = [eventsAction("enable"), eventsAction("disable")];
