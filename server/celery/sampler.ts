import "server-only";
import { getConfig, type BrokerConfig, type Thresholds } from "@/server/config";
import { NotFoundError, SourceUnavailableError, errorMessage } from "@/server/errors";
import type { BrokerSummary, QueueSummary, WorkerSummary } from "@/server/schemas/queues";
import { readComposition, readNextIds, type Composition } from "./composition";
import type Redis from "ioredis";
import { sourceName, withBroker } from "./connections";
import {
  boundQueues,
  fanoutQueues,
  mergeQueues,
  readBindings,
  resolveExchangeTypes,
  type ExchangeType,
} from "./discovery";
import { readDepths } from "./depth";
import { acceptedByQueue, queueRates, queueStatus } from "./rates";
import { layoutOf } from "./kombu-keys";
import { readInFlight, type InFlightCounts } from "./unacked";
import { forgetWorkers, getWorkerInventory } from "./workers";
import { processState } from "@/server/process-state";
import { noteHeldMessage, noteSeenMessage } from "@/server/failures/seen";
import type { TaskMessage } from "./envelope";

// One pass over a broker: discovery + depth (published early) + workers + in-flight -> BrokerSummary. Keeps the previous
// pass per broker (on globalThis) for rates and for how long the next message has been waiting.

interface BrokerState {
  atMs: number;
  depths: Map<string, number>;
  totals: Map<string, Record<string, number>>;
  /** queue -> id of the message next to run and when we first saw it there */
  heads: Map<string, { id: string; firstSeenMs: number }>;
  /**
   * message id -> when it was first seen at a queue's head, kept for recent heads that left (bounded): a message
   * purged to quarantine and restored comes back with its first-seen time, not "just now" (oldest after restore).
   */
  seenHeads: Map<string, number>;
  lastGood: BrokerSummary | null;
  inFlight: Map<string, InFlightCounts>;
  /** Whether the last full pass could ask the workers (null before the first). */
  workersKnown: boolean | null;
}

const states = () => processState("celery/queue-state", () => new Map<string, BrokerState>());

export interface SampleOptions {
  thresholds?: Pick<Thresholds, "queueDepth">;
  queueThresholds?: Record<string, number>;
  nowMs?: number;
  /** How long the pidbox round waits for each reply (DEFAULT_TIMEOUT_MS when omitted). */
  pidboxTimeoutMs?: number;
  /** Called with the fresh depths before the pidbox replies are in (see sampleBroker). */
  onDepths?: (early: BrokerSummary) => void;
}

function thresholdsFrom(opts: SampleOptions) {
  if (opts.thresholds && opts.queueThresholds) return { base: opts.thresholds.queueDepth, per: opts.queueThresholds };
  const cfg = getConfig();
  return {
    base: opts.thresholds?.queueDepth ?? cfg.thresholds.queueDepth,
    per: opts.queueThresholds ?? cfg.queueThresholds,
  };
}

/** Per queue: what a summary row is built from, besides the depth. */
interface RowInputs {
  consumers: string[];
  /** false: nobody consumes it; null: unknown (the workers could not be asked). */
  hasConsumer: boolean | null;
  inFlight: InFlightCounts | undefined;
  rates: Pick<QueueSummary, "ratePerMinuteIn" | "ratePerMinuteOut" | "drainSeconds">;
  /** The fanout exchange the queue is bound to, when it is one (its list is never read by its consumers). */
  fanoutExchange?: string | undefined;
}

function queueRow(
  state: BrokerState,
  name: string,
  origins: QueueSummary["origins"],
  d: { depth: number; byPriority: Record<string, number> },
  headId: string | null,
  nowMs: number,
  threshold: number,
  x: RowInputs,
): { row: QueueSummary; head: { id: string; firstSeenMs: number } | null } {
  let oldestSeenSeconds: number | null = null;
  let head: { id: string; firstSeenMs: number } | null = null;
  if (headId) {
    const prev = state.heads.get(name);
    const firstSeenMs = prev && prev.id === headId ? prev.firstSeenMs : (state.seenHeads.get(headId) ?? nowMs);
    head = { id: headId, firstSeenMs };
    oldestSeenSeconds = Math.round((nowMs - firstSeenMs) / 1000);
  }
  const orphaned = x.inFlight?.orphaned ?? 0;
  const row: QueueSummary = {
    name,
    depth: d.depth,
    byPriority: d.byPriority,
    unacked: x.inFlight?.unacked ?? 0,
    orphaned,
    consumers: x.consumers,
    kombuRestorable: x.inFlight?.kombuRestorable ?? 0,
    rateLimited: x.inFlight?.rateLimited ?? 0,
    ...x.rates,
    oldestSeenSeconds,
    threshold,
    status: queueStatus({ depth: d.depth, threshold, hasConsumer: x.hasConsumer, orphaned }),
    origins,
  };
  if (x.fanoutExchange !== undefined) row.fanoutExchange = x.fanoutExchange;
  return { row, head };
}

/**
 * One pass over a broker. The pidbox round (which waits its timeout after the last reply) runs while depths are read:
 * `onDepths` gets the fresh depths first, with consumers, in-flight counts, rates and the next message's age as the
 * previous pass left them (marked by `workersPending`); the returned summary has the worker replies merged in (what history and alerts use).
 */
export async function sampleBroker(broker: BrokerConfig, opts: SampleOptions = {}): Promise<BrokerSummary> {
  const state: BrokerState = states().get(broker.name) ?? {
    atMs: 0,
    depths: new Map(),
    totals: new Map(),
    heads: new Map(),
    seenHeads: new Map(),
    lastGood: null,
    inFlight: new Map(),
    workersKnown: null,
  };
  states().set(broker.name, state);
  const { base, per } = thresholdsFrom(opts);
  try {
    // A broker that is down fails here within the connect timeout, before any pidbox waiting.
    await withBroker(broker, (redis) => redis.ping());
    const asked = getWorkerInventory(broker, opts.pidboxTimeoutMs);
    asked.catch(() => undefined); // read below; must not be unhandled if the depth read fails first
    const layout = layoutOf(broker);
    const previous = new Map((state.lastGood?.queues ?? []).map((q) => [q.name, q]));
    const consumedBefore = [...new Set([...previous.values()].flatMap((q) => (q.consumers.length ? [q.name] : [])))];
    // Whole task messages this pass reads anyway (each queue's next message, the unacked hash) are noted so a
    // failure without result_extended can be retried from them (server/failures/seen.ts; written by the caller).
    const noteHead = (queue: string, raw: Buffer, m: TaskMessage) => noteSeenMessage(broker.name, queue, raw, m);
    const nextIds = (redis: Redis, names: string[], depths: Map<string, { byPriority: Record<string, number> }>) =>
      readNextIds(
        redis,
        layout,
        names.map((name) => ({ name, byPriority: depths.get(name)?.byPriority ?? {} })),
        noteHead,
      );
    const early = await withBroker(broker, async (redis) => {
      const bindings = await readBindings(redis, layout);
      const queues = mergeQueues(broker.queues, boundQueues(bindings, layout), consumedBefore, layout);
      return {
        bindings,
        queues,
        depths: await readDepths(
          redis,
          layout,
          queues.map((q) => q.name),
        ),
      };
    });

    if (opts.onDepths) {
      const atMs = Date.now();
      const rows = early.queues.map(({ name, origins }) => {
        const prev = previous.get(name);
        const d = early.depths.get(name) ?? { depth: 0, byPriority: {}, error: null };
        const { row } = queueRow(state, name, origins, d, null, atMs, per[name] ?? base, {
          consumers: prev?.consumers ?? [],
          hasConsumer: state.workersKnown === true ? (prev?.consumers.length ?? 0) > 0 : null,
          inFlight: state.inFlight.get(name),
          fanoutExchange: prev?.fanoutExchange,
          rates: prev
            ? {
                ratePerMinuteIn: prev.ratePerMinuteIn,
                ratePerMinuteOut: prev.ratePerMinuteOut,
                drainSeconds: prev.drainSeconds,
              }
            : queueRates(d.depth, undefined, undefined, 0),
        });
        // The next message's age needs its id (read next, while the pidbox round runs): the previous pass's age.
        return { ...row, oldestSeenSeconds: d.depth > 0 ? (prev?.oldestSeenSeconds ?? null) : null };
      });
      opts.onDepths({
        name: broker.name,
        ok: true,
        error: state.lastGood?.error ?? null,
        sampledAt: atMs,
        workersPending: true,
        queues: rows,
      });
    }

    const earlyHeads = await withBroker(broker, (redis) =>
      nextIds(
        redis,
        early.queues.map((q) => q.name),
        early.depths,
      ),
    );
    const inventory = await asked;
    const nowMs = opts.nowMs ?? Date.now();
    const workersKnown = inventory.error === null;
    const { types, conflicts } = resolveExchangeTypes(broker.exchangeTypes, inventory.exchangeTypes);
    const fanout = fanoutQueues(early.bindings, types, layout);
    const pass = await withBroker(broker, async (redis) => {
      // Queues only the workers' answers name (consumed, neither configured nor bound) get their depth now.
      const queues = mergeQueues(
        broker.queues,
        boundQueues(early.bindings, layout),
        [...inventory.consumersByQueue.keys()],
        layout,
      );
      const late = queues.map((q) => q.name).filter((n) => !early.depths.has(n));
      const lateDepths = late.length ? await readDepths(redis, layout, late) : new Map();
      const depths = new Map([...early.depths, ...lateDepths]);
      const heads = new Map([...earlyHeads, ...(late.length ? await nextIds(redis, late, lateDepths) : [])]);
      // Read after the replies: an entry is only called orphaned against answers asked before it was read.
      const inFlight = await readInFlight(redis, layout, early.bindings, {
        workers: inventory.held,
        nowMs,
        exchangeTypes: types,
        onEntry: (m, queues, value) => noteHeldMessage(broker.name, m, queues, value),
      });
      return { queues, depths, inFlight, heads };
    });

    const completed = workersKnown
      ? acceptedByQueue({
          totalsNow: inventory.totals,
          totalsPrev: state.totals,
          consumersByQueue: inventory.consumersByQueue,
          taskQueues: pass.inFlight.taskQueues,
        })
      : new Map<string, number | null>();
    const elapsedMs = state.atMs ? nowMs - state.atMs : 0;
    const heads = new Map<string, { id: string; firstSeenMs: number }>();
    const summaries: QueueSummary[] = pass.queues.map(({ name, origins }) => {
      const d = pass.depths.get(name) ?? { depth: 0, byPriority: {}, error: null };
      const consumers = inventory.consumersByQueue.get(name) ?? [];
      // A queue nobody consumes drains at 0/min; otherwise use attributed completions.
      const done = workersKnown && consumers.length === 0 ? 0 : completed.get(name);
      const { row, head } = queueRow(state, name, origins, d, pass.heads.get(name) ?? null, nowMs, per[name] ?? base, {
        consumers,
        hasConsumer: workersKnown ? consumers.length > 0 : null,
        inFlight: pass.inFlight.byQueue.get(name),
        fanoutExchange: fanout.get(name),
        rates: queueRates(d.depth, state.depths.get(name), done, elapsedMs),
      });
      if (head) heads.set(name, head);
      return row;
    });

    state.atMs = nowMs;
    state.depths = new Map(summaries.map((q) => [q.name, q.depth]));
    if (workersKnown) state.totals = inventory.totals;
    state.workersKnown = workersKnown;
    state.heads = heads;
    rememberHeads(state.seenHeads, heads);
    state.inFlight = pass.inFlight.byQueue;
    const warnings = [
      inventory.error && `workers: ${inventory.error}`,
      pass.inFlight.malformed && `${pass.inFlight.malformed} malformed unacked entries`,
      pass.inFlight.unroutable &&
        `${pass.inFlight.unroutable} unacked entries kombu could not route to any queue (no binding matches)`,
      ...conflicts,
      ...summaries
        .filter((q) => q.fanoutExchange && q.depth > 0)
        .map(
          (q) =>
            `${q.depth} messages sit in the list of ${q.name}, a queue of fanout exchange ${q.fanoutExchange}: its workers receive over pub/sub and never read that list`,
        ),
    ]
      .filter(Boolean)
      .join("; ");
    const summary: BrokerSummary = {
      name: broker.name,
      ok: true,
      error: warnings || null,
      sampledAt: nowMs,
      queues: summaries,
    };
    state.lastGood = summary;
    return summary;
  } catch (e) {
    // Down: keep showing the last good values with their sample time; the caller sees ok: false.
    const last = state.lastGood;
    return {
      name: broker.name,
      ok: false,
      error: errorMessage(e),
      sampledAt: last?.sampledAt ?? null,
      queues: last?.queues ?? [],
    };
  }
}

export interface QueueDetail {
  broker: string;
  queue: string;
  /** From the latest pass (null before the first pass of this broker). */
  summary: QueueSummary | null;
  inFlight: InFlightCounts | null;
  composition: Composition;
  sampledAt: number;
}

/** Backlog composition and next message of one queue; args only with showArgs. */
export async function getQueueDetail(
  broker: BrokerConfig,
  queue: string,
  opts: { showArgs?: boolean; sampleSize?: number } = {},
): Promise<QueueDetail> {
  const state = states().get(broker.name);
  const summary = state?.lastGood?.queues.find((q) => q.name === queue) ?? null;
  const composition = await withBroker(broker, (redis) => readComposition(redis, layoutOf(broker), queue, opts));
  if (!summary && composition.sampled === 0 && !broker.queues.includes(queue))
    throw new NotFoundError(`Queue "${queue}" is not known on broker "${broker.name}".`);
  return {
    broker: broker.name,
    queue,
    summary,
    inFlight: state?.inFlight.get(queue) ?? null,
    composition,
    sampledAt: Date.now(),
  };
}

const SEEN_HEADS_KEPT = 10_000;

function rememberHeads(seen: Map<string, number>, heads: Map<string, { id: string; firstSeenMs: number }>): void {
  for (const { id, firstSeenMs } of heads.values()) if (!seen.has(id)) seen.set(id, firstSeenMs);
  // Maps iterate in insertion order: drop the oldest entries past the bound.
  for (const id of seen.keys()) {
    if (seen.size <= SEEN_HEADS_KEPT) break;
    seen.delete(id);
  }
}

/** Live workers first, then recently lost ones (alive: false). */
export async function listWorkers(broker: BrokerConfig): Promise<WorkerSummary[]> {
  const inventory = await getWorkerInventory(broker, undefined, { full: true });
  if (inventory.error && inventory.workers.length === 0)
    throw new SourceUnavailableError(sourceName(broker), inventory.error);
  return inventory.workers;
}

export interface Orphans {
  /** false: some live worker could not be asked, so no entry can be called orphaned (and none is requeued). */
  known: boolean;
  tags: string[];
  byQueue: Record<string, number>;
  kombuRestorable: number;
  /** The exchange types the orphans were routed by; requeue must route by the same. */
  exchangeTypes: Map<string, ExchangeType>;
  /** Orphaned entries of fanout exchanges (exchange -> entries, bound queues): requeued into lists nobody reads. */
  viaFanout: Record<string, { entries: number; queues: string[] }>;
}

/** The orphaned unacked entries right now, by the one rule (unacked.ts classify): for the preview and the requeue. */
export async function currentOrphans(broker: BrokerConfig): Promise<Orphans> {
  // Asked in full: what a requeue may take must not rest on answers kept from an earlier round.
  const inventory = await getWorkerInventory(broker, undefined, { full: true });
  const layout = layoutOf(broker);
  const { types } = resolveExchangeTypes(broker.exchangeTypes, inventory.exchangeTypes);
  const inFlight = await withBroker(broker, async (redis) =>
    readInFlight(redis, layout, await readBindings(redis, layout), { workers: inventory.held, exchangeTypes: types }),
  );
  const byQueue: Record<string, number> = {};
  let kombuRestorable = 0;
  for (const [q, c] of inFlight.byQueue) {
    if (c.orphaned > 0) byQueue[q] = c.orphaned;
    kombuRestorable += c.kombuRestorable;
  }
  return {
    known: inventory.held !== null,
    tags: inFlight.orphanTags,
    byQueue,
    kombuRestorable,
    exchangeTypes: types,
    viaFanout: Object.fromEntries(inFlight.orphanedViaFanout),
  };
}

/** Tests only: forget rates/ages kept between passes. */
export function resetSamplerState(): void {
  states().clear();
  forgetWorkers();
}

/** When the sampler first saw each message id at a queue's head on this broker (only messages that were once next). */
export function firstSeenLookup(broker: string): (id: string) => number | null {
  const s = states().get(broker);
  if (!s) return () => null;
  const atHead = new Map([...s.heads.values()].map((h) => [h.id, h.firstSeenMs]));
  return (id) => atHead.get(id) ?? s.seenHeads.get(id) ?? null;
}
