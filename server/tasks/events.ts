import "server-only";
import { decodeKombuBody } from "@/server/celery/envelope";
import { observe, type Histogram } from "./histogram";

// Celery's task events, parsed at the edge: a kombu envelope (JSON body, base64) on the celeryev fanout carries one
// event (routing key task.sent, ...) or, from a worker that buffers them, a list of events (routing key task.multi).
// The accumulator turns them into per task name counts and histograms of queue wait and runtime. Only task-sent and
// task-received carry the task name, so it remembers a bounded number of task ids.

export type TaskEventType =
  | "task-sent"
  | "task-received"
  | "task-started"
  | "task-succeeded"
  | "task-failed"
  | "task-retried"
  | "task-rejected"
  | "task-revoked";

export interface TaskEvent {
  type: TaskEventType;
  uuid: string;
  hostname: string;
  /** Epoch seconds on the sender's clock. */
  timestamp: number;
  name: string | null;
  queue: string | null;
  runtimeSeconds: number | null;
  eta: boolean;
  exception: string | null;
}

const TYPES = new Set<string>([
  "task-sent",
  "task-received",
  "task-started",
  "task-succeeded",
  "task-failed",
  "task-retried",
  "task-rejected",
  "task-revoked",
]);

const str = (v: unknown) => (typeof v === "string" && v.length > 0 ? v : null);

export function parseTaskEvents(raw: string | Buffer): TaskEvent[] {
  const decoded = decodeKombuBody(raw);
  if (!decoded.ok) return [];
  const body = decoded.value.body;
  const list = Array.isArray(body) ? body : [body];
  const out: TaskEvent[] = [];
  for (const ev of list) {
    if (!ev || typeof ev !== "object") continue;
    const e = ev as Record<string, unknown>;
    const type = str(e.type);
    const uuid = str(e.uuid);
    if (!type || !TYPES.has(type) || !uuid) continue;
    out.push({
      type: type as TaskEventType,
      uuid,
      hostname: str(e.hostname) ?? "",
      timestamp: typeof e.timestamp === "number" ? e.timestamp : NaN,
      name: str(e.name),
      queue: str(e.queue),
      runtimeSeconds: typeof e.runtime === "number" && e.runtime >= 0 ? e.runtime : null,
      eta: e.eta !== null && e.eta !== undefined,
      exception: str(e.exception),
    });
  }
  return out;
}

/** What one task name did since the last flush. */
export interface TaskTally {
  sent: number;
  received: number;
  started: number;
  succeeded: number;
  failed: number;
  retried: number;
  runtime: Histogram;
  wait: Histogram;
  queues: Set<string>;
}

export const emptyTally = (): TaskTally => ({
  sent: 0,
  received: 0,
  started: 0,
  succeeded: 0,
  failed: 0,
  retried: 0,
  runtime: {},
  wait: {},
  queues: new Set(),
});

interface Seen {
  name: string | null;
  queue: string | null;
  sentAt: number | null;
  receivedAt: number | null;
  eta: boolean;
  /** Events that came before the one naming the task. */
  early: TaskEvent[];
}

const MAX_EARLY = 8;
/**
 * Task ids remembered (the oldest go first). Kept after task-succeeded too: a worker's events of one task may arrive
 * in any order (task-started after task-succeeded has been seen), and a late one still needs the task's name.
 */
const MAX_TRACKED = 50_000;
/** Task names: a task-name label per distinct name is unbounded in principle; past this, new names are folded. */
const MAX_TASK_NAMES = 500;
const OVERFLOW_NAME = "(other tasks)";
/** Hosts whose last task event is remembered (workers in containers get new hostnames as they come and go). */
const MAX_HOSTS = 1000;

export interface Observed {
  event: TaskEvent;
  name: string;
  queue: string | null;
}

export class TaskTimings {
  private tracked = new Map<string, Seen>();
  private names = new Set<string>();
  pending = new Map<string, TaskTally>();
  lastEventMs: number | null = null;
  lastEventByHost = new Map<string, number>();

  /**
   * Applies one event; returns what it (and any events it unblocked) were attributed to. Events of one task may
   * arrive out of order (a worker buffers task-received into a task.multi batch but may publish task-started or
   * task-succeeded first), so an event whose task name is not known yet waits until task-sent or task-received
   * names it. Without task-sent (producers without task_send_sent_event) the queue is the receiving worker's when
   * it consumes exactly one.
   */
  apply(e: TaskEvent, nowMs: number, queuesOfHost: (hostname: string) => string[] = () => []): Observed[] {
    this.lastEventMs = nowMs;
    if (e.hostname) {
      // Re-inserted so the map stays in last-seen order and the longest silent host goes first.
      this.lastEventByHost.delete(e.hostname);
      this.lastEventByHost.set(e.hostname, nowMs);
      if (this.lastEventByHost.size > MAX_HOSTS)
        this.lastEventByHost.delete(this.lastEventByHost.keys().next().value as string);
    }
    let seen = this.tracked.get(e.uuid);
    if (!seen) {
      seen = { name: null, queue: null, sentAt: null, receivedAt: null, eta: false, early: [] };
      this.tracked.set(e.uuid, seen);
      if (this.tracked.size > MAX_TRACKED) this.tracked.delete(this.tracked.keys().next().value as string);
    }
    if (e.name) seen.name = e.name;
    if (e.queue) seen.queue = e.queue;
    if (e.eta) seen.eta = true;
    if (e.type === "task-sent") seen.sentAt = e.timestamp;
    if (e.type === "task-received") {
      seen.receivedAt = e.timestamp;
      const consumed = seen.queue ? [] : queuesOfHost(e.hostname);
      if (consumed.length === 1) seen.queue = consumed[0]!;
    }
    if (!seen.name) {
      if (seen.early.length < MAX_EARLY) seen.early.push(e);
      return [];
    }
    const out = [this.count(e, seen)];
    for (const early of seen.early.splice(0)) out.push(this.count(early, seen));
    return out;
  }

  private count(e: TaskEvent, seen: Seen): Observed {
    const name = this.nameFor(seen.name!);
    const t = this.tally(name);
    if (seen.queue) t.queues.add(seen.queue);
    switch (e.type) {
      case "task-sent":
        t.sent++;
        break;
      case "task-received":
        t.received++;
        break;
      case "task-started": {
        t.started++;
        // A task with an ETA or countdown waits on purpose: that is not queue wait.
        const from = seen.sentAt ?? seen.receivedAt;
        if (!seen.eta && from !== null && Number.isFinite(e.timestamp) && Number.isFinite(from))
          observe(t.wait, Math.max(0, e.timestamp - from));
        break;
      }
      case "task-succeeded":
        t.succeeded++;
        if (e.runtimeSeconds !== null) observe(t.runtime, e.runtimeSeconds);
        break;
      case "task-failed":
        t.failed++;
        break;
      case "task-retried":
        t.retried++;
        break;
      default:
        break;
    }
    return { event: e, name, queue: seen.queue };
  }

  private nameFor(name: string): string {
    if (this.names.has(name)) return name;
    if (this.names.size >= MAX_TASK_NAMES) return OVERFLOW_NAME;
    this.names.add(name);
    return name;
  }

  private tally(name: string): TaskTally {
    let t = this.pending.get(name);
    if (!t) this.pending.set(name, (t = emptyTally()));
    return t;
  }

  /** Hands over what accumulated since the last call. */
  take(): Map<string, TaskTally> {
    const out = this.pending;
    this.pending = new Map();
    return out;
  }
}
