import "server-only";
import type Redis from "ioredis";
import { z } from "zod";
import type { BrokerConfig } from "@/server/config";

// Celery's Redis result backend, read without disturbing it: each key `celery-task-meta-<task id>` (after Celery
// 5.3's optional global_keyprefix) holds the JSON meta of celery/backends/base.py _get_result_meta: status, result
// (for an exception: {exc_type, exc_message, exc_module}), traceback, date_done (naive UTC ISO), children, and with
// result_extended: name, args, kwargs, worker, retries, queue (the delivery routing key). The backend is walked with
// SCAN MATCH and a bounded COUNT, a few steps per pass, resuming from the cursor the last pass stopped at.

export const TASK_META_PREFIX = "celery-task-meta-";
/** States the console keeps; SUCCESS, PENDING and STARTED are not failures. */
const FAILED_STATES = ["FAILURE", "RETRY", "REVOKED"] as const;
export type FailedState = (typeof FAILED_STATES)[number];

export interface TaskOutcome {
  taskId: string;
  status: FailedState;
  excType: string | null;
  excMessage: string | null;
  excModule: string | null;
  traceback: string | null;
  /** Epoch ms of date_done; null for RETRY (Celery only dates ready states). */
  dateDoneMs: number | null;
  /** Fields present only with result_extended. */
  name: string | null;
  args: unknown[] | null;
  kwargs: Record<string, unknown> | null;
  worker: string | null;
  queue: string | null;
  retries: number | null;
}

const metaSchema = z.object({
  status: z.string(),
  task_id: z.string().nullish(),
  result: z.unknown(),
  traceback: z.string().nullish(),
  date_done: z.string().nullish(),
  name: z.string().nullish(),
  args: z.array(z.unknown()).nullish(),
  kwargs: z.record(z.string(), z.unknown()).nullish(),
  worker: z.string().nullish(),
  queue: z.string().nullish(),
  retries: z.number().nullish(),
});
const excSchema = z.object({
  exc_type: z.string(),
  exc_message: z.unknown(),
  exc_module: z.string().nullish(),
});

/** Celery stores exc_message as the exception's args (a list); one argument reads as itself. */
function messageText(m: unknown): string | null {
  if (m === null || m === undefined) return null;
  if (Array.isArray(m)) {
    if (m.length === 0) return "";
    if (m.length === 1) return typeof m[0] === "string" ? m[0] : JSON.stringify(m[0]);
  }
  return typeof m === "string" ? m : JSON.stringify(m);
}

function dateMs(s: string | null | undefined): number | null {
  if (!s) return null;
  const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`);
  return Number.isNaN(t) ? null : t;
}

/**
 * Parses one stored meta. Returns null for states the console does not keep and for values that are not Celery's
 * JSON meta (pickle or msgpack serializers, other keys sharing the prefix): they are counted, never guessed at.
 */
export function parseTaskMeta(key: string, raw: string | Buffer, prefix = TASK_META_PREFIX): TaskOutcome | null {
  let json: unknown;
  try {
    json = JSON.parse(typeof raw === "string" ? raw : raw.toString("utf8"));
  } catch {
    return null;
  }
  const m = metaSchema.safeParse(json);
  if (!m.success) return null;
  const meta = m.data;
  if (!(FAILED_STATES as readonly string[]).includes(meta.status)) return null;
  const exc = excSchema.safeParse(meta.result);
  const taskId = meta.task_id ?? (key.startsWith(prefix) ? key.slice(prefix.length) : key);
  return {
    taskId,
    status: meta.status as FailedState,
    excType: exc.success ? exc.data.exc_type : null,
    excMessage: exc.success ? messageText(exc.data.exc_message) : null,
    excModule: exc.success ? (exc.data.exc_module ?? null) : null,
    traceback: meta.traceback ?? null,
    dateDoneMs: dateMs(meta.date_done),
    name: meta.name ?? null,
    args: meta.args ?? null,
    kwargs: meta.kwargs ?? null,
    worker: meta.worker ?? null,
    queue: meta.queue ?? null,
    retries: meta.retries ?? null,
  };
}

/** The key prefix of task metas on this backend (global_keyprefix first, as Celery 5.3+ writes them). */
export function metaPrefix(broker: BrokerConfig): string {
  return `${broker.resultBackend?.globalKeyprefix ?? ""}${TASK_META_PREFIX}`;
}

const globEscape = (s: string) => s.replace(/[*?[\]\\]/g, "\\$&");

export interface ScanStep {
  /** "0" once the walk over the whole keyspace ended (the next pass starts over). */
  cursor: string;
  outcomes: TaskOutcome[];
  keysRead: number;
  /** Values under the prefix that were neither a kept state nor parseable (SUCCESS, PENDING, STARTED, pickle). */
  skipped: number;
}

/** Keys per SCAN call: SCAN's work is bounded by COUNT, so no call blocks Redis for long on a large keyspace. */
export const SCAN_COUNT = 250;
/** Keys per MGET: a traceback can be tens of kB, so values are fetched in small groups. */
const MGET_BATCH = 50;

/**
 * Keys known to hold SUCCESS, so a walk need not read them again: `known` from the walk before, `seen` filled during
 * this one (only keys still there carry over, so expired keys drop out). Celery never turns a SUCCESS into a failure
 * unless a task is re-sent under the same id; the caller starts from an empty `known` now and then for that case.
 */
export interface SettledKeys {
  known: Set<string>;
  seen: Set<string>;
}
/** At most this many keys are remembered per walk (about 10 MB at 100 bytes a key); beyond it they are re-read. */
const MAX_SETTLED = 100_000;
const SUCCESS = /^\s*\{\s*"status":\s*"SUCCESS"/;

/**
 * Up to `steps` SCAN calls from `cursor`, reading the values of the matching keys (except the settled ones). Keys that
 * expire between SCAN and MGET come back nil and are simply not there; SCAN may return a key twice, which the store's
 * upsert absorbs.
 */
export async function scanTaskMetas(
  redis: Redis,
  prefix: string,
  cursor: string,
  steps: number,
  settled?: SettledKeys,
): Promise<ScanStep> {
  const outcomes: TaskOutcome[] = [];
  let keysRead = 0;
  let skipped = 0;
  let next = cursor;
  for (let i = 0; i < steps; i++) {
    const [c, found] = await redis.scan(next, "MATCH", `${globEscape(prefix)}*`, "COUNT", SCAN_COUNT);
    next = c;
    const keys: string[] = [];
    for (const k of found) {
      if (settled?.known.has(k)) settled.seen.add(k);
      else keys.push(k);
    }
    skipped += found.length - keys.length;
    for (let j = 0; j < keys.length; j += MGET_BATCH) {
      const batch = keys.slice(j, j + MGET_BATCH);
      const values = await redis.mgetBuffer(...batch);
      values.forEach((v, k) => {
        if (!v) return;
        keysRead++;
        const key = batch[k] as string;
        const o = parseTaskMeta(key, v, prefix);
        if (o) outcomes.push(o);
        else {
          skipped++;
          // Celery writes the meta with "status" first (json.dumps of its dict); anything else is simply read again.
          if (settled && settled.seen.size < MAX_SETTLED && SUCCESS.test(v.subarray(0, 40).toString("latin1")))
            settled.seen.add(key);
        }
      });
    }
    if (next === "0") break;
  }
  return { cursor: next, outcomes, keysRead, skipped };
}
