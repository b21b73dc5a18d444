import "server-only";
import type { BrokerConfig } from "@/server/config";
import type { WorkerSummary } from "@/server/schemas/queues";
import { errorMessage } from "@/server/errors";
import { ensureHeartbeatListener, isFresh } from "./heartbeats";
import { broadcast, DEFAULT_TIMEOUT_MS, forgetControlTimes, lastControlAt, type Replies } from "./pidbox";
import type { HeldByWorkers } from "./unacked";
import { isExchangeType, type ExchangeType } from "./discovery";
import { processState } from "@/server/process-state";

// Worker inventory of one broker: who is alive (fresh worker-heartbeat events, or answering pidbox),
// their pool, queues and the task ids they hold. Workers that stop answering drop out of the live list
// (alive: false) and are forgotten after a while; history is the lead's store's job.

export interface WorkerInventory {
  workers: WorkerSummary[];
  /** queue -> hostnames of live workers consuming it (from active_queues). */
  consumersByQueue: Map<string, string[]>;
  /** ids live workers hold; null when some live worker did not answer (then absence proves nothing). */
  held: HeldByWorkers | null;
  /** hostname -> stats.total (task name -> count of tasks the worker ACCEPTED, i.e. started; not completed) for out-rates. */
  totals: Map<string, Record<string, number>>;
  /**
   * Exchange types live workers declared (active_queues: each queue's exchange.type), remembered after the worker is
   * gone: a dead worker's unacked messages still have to be routed by their exchange's type.
   */
  exchangeTypes: ReadonlyMap<string, ExchangeType>;
  /** The pidbox round failed as a whole (the broker is down, for instance). */
  error: string | null;
}

interface Seen {
  lastSeenMs: number;
  summary: WorkerSummary;
}
const seenByBroker = () => processState("celery/workers-seen", () => new Map<string, Map<string, Seen>>());
const FORGET_AFTER_MS = 10 * 60_000;
// Exchange types per broker as workers last reported them; kept for the process's life (a type is a deployment fact,
// and the worker that knew it may be the one that died holding messages).
const typesByBroker = () => processState("celery/exchange-types", () => new Map<string, Map<string, ExchangeType>>());

/** Exchange name -> type from one worker's active_queues reply (Celery: queue.as_dict(recurse=True)). */
export function exchangeTypesOf(reply: unknown): [string, ExchangeType][] {
  return list(reply).flatMap((q) => {
    const ex = isObj(q.exchange) ? q.exchange : null;
    return ex && typeof ex.name === "string" && ex.name !== "" && isExchangeType(ex.type)
      ? [[ex.name, ex.type] as [string, ExchangeType]]
      : [];
  });
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

/** Pool kind from stats.pool: Celery >= 5.3 says `implementation`; 5.2 has to be recognised by its keys. */
export function poolKind(pool: unknown): string | null {
  if (!isObj(pool)) return null;
  if (typeof pool.implementation === "string") {
    const m = /concurrency\.(\w+)/.exec(pool.implementation);
    return m?.[1] === "thread" ? "threads" : (m?.[1] ?? pool.implementation);
  }
  if ("threads" in pool) return "threads";
  if ("free-threads" in pool) return "eventlet";
  if ("writes" in pool || pool["max-tasks-per-child"] === "N/A" || pool["put-guarded-by-semaphore"] === false)
    return "prefork";
  if (pool["put-guarded-by-semaphore"] === true) return "solo";
  return "max-concurrency" in pool ? "gevent" : null;
}

/** Task names a `registered` reply (taskinfoitems rate_limit) shows with a rate limit: "tasks.x [rate_limit=5/m]". */
function rateLimitedTasks(reply: unknown): string[] {
  if (!Array.isArray(reply)) return [];
  return reply.flatMap((line) => {
    const m = typeof line === "string" ? /^(\S+) \[(.*)\]$/.exec(line) : null;
    const rate = m ? /(?:^| )rate_limit=(\S+)/.exec(m[2] as string)?.[1] : undefined;
    return m && rate && rate !== "None" ? [m[1] as string] : [];
  });
}

function idsOf(reply: unknown, nested = false): string[] {
  return list(reply)
    .map((r) => (nested ? (isObj(r.request) ? r.request.id : null) : r.id))
    .filter((id): id is string => typeof id === "string");
}

/** The questions of an inventory round, in the order they are published. */
export const INSPECTIONS: readonly (readonly [string, Obj])[] = [
  ["stats", {}],
  ["active_queues", {}],
  ["registered", { taskinfoitems: ["rate_limit"] }],
  ["scheduled", {}],
  ["reserved", {}],
  ["active", { safe: true }],
];
/**
 * Asked only every SLOW_EVERY_MS (and at once when a worker the last answers did not name shows up, or after a
 * command that changes consumers): their answers change when a worker starts or is told to, not from pass to pass.
 * The others say which tasks each worker holds and how many it has run, which the in-flight counts and the rates
 * need every pass.
 */
const SLOW = new Set(["active_queues", "registered"]);
export const SLOW_EVERY_MS = 30_000;
/**
 * Kept answers must have been asked at least this long after the last consumer, pool or rate-limit command: Celery
 * 5.2 replies to add_consumer before its event loop starts consuming, so an answer asked right after the command may
 * not show it yet, and keeping that answer would hide the change for up to SLOW_EVERY_MS.
 */
export const SETTLE_MS = 15_000;
interface SlowAnswers {
  atMs: number;
  /** Workers that answered both slow questions. */
  hosts: Set<string>;
  /** Each worker's pid (stats) when asked: a restart under the same name consumes what its command line says again. */
  pids: Map<string, unknown>;
  replies: Map<string, Replies>;
  /** Wall-clock time they were asked (atMs is the caller's clock): a command sent since, or shortly before, makes them stale. */
  askedAtMs: number;
  stale: boolean;
}
const slowByBroker = () => processState("celery/slow-inspections", () => new Map<string, SlowAnswers>());

/** Tests and the bench: the next round asks everything. */
export function resetWorkerInventory(): void {
  slowByBroker().clear();
}

export async function getWorkerInventory(
  broker: BrokerConfig,
  timeoutMs = DEFAULT_TIMEOUT_MS,
  opts: { nowMs?: number; full?: boolean } = {},
): Promise<WorkerInventory> {
  // Started once, never awaited: heartbeats are a bonus on top of the pidbox answers.
  const listener = ensureHeartbeatListener(broker);
  const askedAtMs = Date.now();
  const clock = opts.nowMs ?? askedAtMs;
  const cached = slowByBroker().get(broker.name);
  const unknownBeat = [...listener.beats.values()].some((b) => isFresh(b, askedAtMs) && !cached?.hosts.has(b.hostname));
  const full =
    opts.full ||
    !cached ||
    cached.stale ||
    cached.askedAtMs < lastControlAt(broker.name) + SETTLE_MS ||
    unknownBeat ||
    clock - cached.atMs >= SLOW_EVERY_MS;
  // Published one after another (each reply waited for in parallel): a worker handles control requests in the order
  // they arrive, so asking scheduled, then reserved, then active catches an ETA task that moves on between answers
  // (scheduled -> reserved -> active) in at least one of them.
  const asked: Promise<Replies>[] = [];
  for (const [cmd, args] of INSPECTIONS) {
    if (!full && SLOW.has(cmd)) {
      asked.push(Promise.resolve(cached?.replies.get(cmd) ?? {}));
      continue;
    }
    let published!: () => void;
    const sent = new Promise<void>((resolve) => (published = resolve));
    const answer = broadcast(broker, cmd, args, { timeoutMs, onPublished: published }).finally(published);
    // Handled now, read by allSettled below: a request that fails while the next one is still being published (the
    // broker went away) must not be an unhandled rejection in between.
    answer.catch(() => undefined);
    asked.push(answer);
    await sent;
  }
  const settled = await Promise.allSettled(asked);
  const failed = settled.find((s) => s.status === "rejected");
  const [stats, queues, registered, scheduled, reserved, active] = settled.map((s) =>
    s.status === "fulfilled" ? s.value : {},
  ) as Replies[];
  const nowMs = Date.now();

  const seen = seenByBroker().get(broker.name) ?? new Map<string, Seen>();
  seenByBroker().set(broker.name, seen);
  const answered = new Set([stats, active, reserved, scheduled].flatMap((r) => Object.keys(r ?? {})));
  if (full && !failed)
    slowByBroker().set(broker.name, {
      atMs: clock,
      hosts: new Set(Object.keys(queues ?? {}).filter((h) => h in (registered ?? {}))),
      pids: new Map(Object.entries(stats ?? {}).map(([h, st]) => [h, isObj(st) ? st.pid : undefined])),
      replies: new Map([
        ["active_queues", queues ?? {}],
        ["registered", registered ?? {}],
      ]),
      askedAtMs,
      stale: false,
    });
  // A worker the kept answers do not cover (started, or restarted under its name, since): ask everything next round.
  // Meanwhile a new one is listed without queues and, since it did not answer every question, nothing is called
  // orphaned; a restarted one shows the queues it had.
  else if (
    cached &&
    [...answered].some(
      (h) => !cached.hosts.has(h) || (isObj(stats?.[h]) && (stats[h] as Obj).pid !== cached.pids.get(h)),
    )
  )
    cached.stale = true;
  const fresh = [...listener.beats.values()].filter((b) => isFresh(b, nowMs));
  const alive = new Set([...answered, ...fresh.map((b) => b.hostname)]);

  const consumersByQueue = new Map<string, string[]>();
  const totals = new Map<string, Record<string, number>>();
  const activeIds = new Set<string>();
  const heldIds = new Set<string>();
  const rateLimited = new Map<string, Set<string>>();
  const learnt = typesByBroker().get(broker.name) ?? new Map<string, ExchangeType>();
  typesByBroker().set(broker.name, learnt);
  for (const host of alive) {
    const st = isObj(stats?.[host]) ? (stats[host] as Obj) : {};
    const pool = isObj(st.pool) ? st.pool : {};
    const qnames = list(queues?.[host])
      .map((q) => q.name)
      .filter((n): n is string => typeof n === "string");
    const limited = rateLimitedTasks(registered?.[host]);
    for (const [name, type] of exchangeTypesOf(queues?.[host])) learnt.set(name, type);
    for (const q of qnames) {
      consumersByQueue.set(q, [...(consumersByQueue.get(q) ?? []), host]);
      if (limited.length > 0) rateLimited.set(q, new Set([...(rateLimited.get(q) ?? []), ...limited]));
    }
    if (isObj(st.total)) totals.set(host, st.total as Record<string, number>);
    const a = idsOf(active?.[host]);
    const r = idsOf(reserved?.[host]);
    const s = idsOf(scheduled?.[host], true);
    a.forEach((id) => activeIds.add(id));
    [...a, ...r, ...s].forEach((id) => heldIds.add(id));
    const autoscaler = isObj(st.autoscaler) ? st.autoscaler : null;
    const beat = listener.beats.get(host);
    const prev = seen.get(host)?.summary;
    const didAnswer = answered.has(host);
    const summary: WorkerSummary = {
      broker: broker.name,
      hostname: host,
      alive: true,
      lastSeen: nowMs,
      pool: didAnswer ? poolKind(pool) : (prev?.pool ?? null),
      concurrency: typeof pool["max-concurrency"] === "number" ? pool["max-concurrency"] : (prev?.concurrency ?? null),
      processes: Array.isArray(pool.processes)
        ? pool.processes.filter((p): p is number => typeof p === "number")
        : (prev?.processes ?? []),
      autoscale:
        autoscaler && typeof autoscaler.max === "number" && typeof autoscaler.min === "number"
          ? [autoscaler.max, autoscaler.min]
          : null,
      queues: didAnswer ? qnames : (prev?.queues ?? []),
      active: didAnswer ? a.length : (beat?.active ?? 0),
      reserved: r.length,
      scheduled: s.length,
      via: beat && isFresh(beat, nowMs) ? "heartbeat" : "ping",
    };
    seen.set(host, { lastSeenMs: nowMs, summary });
  }
  for (const [host, s] of seen) {
    if (alive.has(host)) continue;
    if (nowMs - s.lastSeenMs > FORGET_AFTER_MS) seen.delete(host);
    else s.summary = { ...s.summary, alive: false, lastSeen: s.lastSeenMs };
  }
  // Absence from every list only proves a message is abandoned when every live worker answered every question
  // (no live worker at all, with the pidbox reachable, is a complete answer too: nobody can hold anything). When
  // the pidbox cannot be reached, nothing is called orphaned.
  const complete =
    !failed &&
    [...alive].every((h) => [active, reserved, scheduled, registered].every((r) => r !== undefined && h in r));
  return {
    workers: [...seen.values()]
      .map((s) => s.summary)
      .sort((x, y) => Number(y.alive) - Number(x.alive) || (x.hostname < y.hostname ? -1 : 1)),
    consumersByQueue,
    held: complete ? { active: activeIds, held: heldIds, rateLimited, askedAtMs } : null,
    totals,
    exchangeTypes: new Map(learnt),
    error: failed && failed.status === "rejected" ? errorMessage(failed.reason) : null,
  };
}

/** Tests only: forget workers seen before. */
export function forgetWorkers(): void {
  seenByBroker().clear();
  slowByBroker().clear();
  typesByBroker().clear();
  forgetControlTimes();
}

/** Workers as of the last inventory of this broker (no broadcast): live ones first, then recently lost ones. */
export function knownWorkers(brokerName: string): WorkerSummary[] {
  const seen = seenByBroker().get(brokerName);
  if (!seen) return [];
  return [...seen.values()]
    .map((s) => s.summary)
    .sort((x, y) => Number(y.alive) - Number(x.alive) || (x.hostname < y.hostname ? -1 : 1));
}
