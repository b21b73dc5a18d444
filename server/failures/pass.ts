import "server-only";
import type { BrokerConfig } from "@/server/config";
import { describeBroker, parseBrokerUrl, redactUrlsInText } from "@/server/celery/broker-url";
import { resultBackendTarget, withBroker } from "@/server/celery/connections";
import { metaPrefix, scanTaskMetas, type SettledKeys } from "@/server/celery/results";
import { errorMessage } from "@/server/errors";
import { emit } from "@/server/bus";
import { markSource } from "@/server/sources/status";
import type { BackendState } from "@/server/schemas/failures";
import { upsertOutcomes } from "./store";
import { processState } from "@/server/process-state";

// One pass over a broker's result backend: a few bounded SCAN steps from where the last pass stopped, the failed
// outcomes written to the store. A backend of 100,000 keys is walked over several passes, never in one command.

/** SCAN calls per pass (each COUNT 250): a pass reads at most a few thousand keys. */
export const STEPS_PER_PASS = 16;

/** Every this many walks, SUCCESS keys are read again (a task re-sent under the same id may have failed since). */
const FULL_READ_EVERY_WALKS = 10;

interface WalkState {
  cursor: string;
  settled: SettledKeys;
  keysRead: number;
  walksCompleted: number;
  lastPassAt: number | null;
  ok: boolean | null;
  error: string | null;
}

const walkStates = () => processState("failures/result-walks", () => new Map<string, WalkState>());

function walkOf(broker: string): WalkState {
  const walks = walkStates();
  let w = walks.get(broker);
  if (!w) {
    w = {
      cursor: "0",
      settled: { known: new Set(), seen: new Set() },
      keysRead: 0,
      walksCompleted: 0,
      lastPassAt: null,
      ok: null,
      error: null,
    };
    walks.set(broker, w);
  }
  return w;
}

export interface PassResult {
  outcomes: number;
  keysRead: number;
  /** True when this pass ended a walk over the whole backend. */
  walkEnded: boolean;
}

/**
 * Reads the next part of the backend and stores its failures (`store: false` reads without writing, for an
 * instance that does not hold the history lease).
 */
export async function readResultBackend(
  broker: BrokerConfig,
  opts: { steps?: number; store?: boolean } = {},
): Promise<PassResult | null> {
  const target = resultBackendTarget(broker);
  if (!target) return null;
  const w = walkOf(broker.name);
  try {
    const step = await withBroker(target, (r) =>
      scanTaskMetas(r, metaPrefix(broker), w.cursor, opts.steps ?? STEPS_PER_PASS, w.settled),
    );
    if (opts.store !== false) await upsertOutcomes(broker.name, step.outcomes);
    const walkEnded = step.cursor === "0";
    w.keysRead = (w.cursor === "0" ? 0 : w.keysRead) + step.keysRead;
    w.cursor = step.cursor;
    if (walkEnded) {
      w.walksCompleted++;
      const fullReadNext = w.walksCompleted % FULL_READ_EVERY_WALKS === 0;
      w.settled = { known: fullReadNext ? new Set() : w.settled.seen, seen: new Set() };
    }
    w.lastPassAt = Date.now();
    w.ok = true;
    w.error = null;
    markSource("redis", target.name, true);
    if (step.outcomes.length > 0) emit("invalidate", ["failures"]);
    return { outcomes: step.outcomes.length, keysRead: step.keysRead, walkEnded };
  } catch (e) {
    w.ok = false;
    w.error = redactUrlsInText(errorMessage(e));
    markSource("redis", target.name, false, w.error);
    throw e;
  }
}

/** Reads until the walk that is under way ends (tests, and a first look at a small backend). */
export async function readWholeBackend(broker: BrokerConfig): Promise<number> {
  let outcomes = 0;
  for (;;) {
    const r = await readResultBackend(broker);
    if (!r) return 0;
    outcomes += r.outcomes;
    if (r.walkEnded) return outcomes;
  }
}

export function backendStates(brokers: BrokerConfig[]): BackendState[] {
  return brokers.map((b) => {
    const w = walkStates().get(b.name);
    let where: string | null = null;
    if (b.resultBackend) {
      try {
        where = describeBroker(parseBrokerUrl(b.resultBackend.url, b.resultBackend.masterName));
      } catch {
        where = "(unparsable URL)";
      }
    }
    return {
      broker: b.name,
      configured: Boolean(b.resultBackend),
      where,
      ok: w?.ok ?? null,
      error: w?.error ?? null,
      lastPassAt: w?.lastPassAt ?? null,
      keysRead: w?.keysRead ?? 0,
      walksCompleted: w?.walksCompleted ?? 0,
    };
  });
}

/** Tests: forget every walk's cursor. */
export function resetResultWalks(): void {
  walkStates().clear();
}
