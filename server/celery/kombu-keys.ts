import "server-only";
import type { BrokerConfig } from "@/server/config";

// kombu's Redis transport key layout (kombu/transport/redis.py, Channel), in one place, for every
// transport option that changes a key or a channel name:
// - queue list for priority step s: `<queue>` when s is 0, else `<queue><sep><s>`          (Channel._q_for_pri)
// - binding set per exchange: `_kombu.binding.<exchange>`, members `routing_key<sep>pattern<sep>queue`
//   (Channel._queue_bind; the set's name does not use sep)
// - ack emulation: hash `unacked_key` (tag -> JSON [message, exchange, routing_key]), zset `unacked_index_key`
//   (tag -> delivery time), lock `unacked_mutex_key` held for `unacked_mutex_expire` seconds   (QoS)
// - fanout exchanges: PUBLISH on `<fanout prefix><exchange>` plus `/<routing_key>` when fanout_patterns
//   and a key is given; the fanout prefix is `/{db}.` unless fanout_prefix says otherwise    (_get_publish_topic)
// global_keyprefix is prepended to every one of these (kombu's prefixed client covers LLEN/LPUSH/SADD/
// SMEMBERS/HSET/ZADD/PUBLISH/DEL/BRPOP...), so we prefix every key and channel we touch ourselves.

const DEFAULT_SEP = "\x06\x16";
export const BINDING_PREFIX = "_kombu.binding.";
const DEFAULT_PRIORITY_STEPS: readonly number[] = [0, 3, 6, 9];

/** Every layout option of a broker, resolved (kombu's and Celery's defaults where the config says nothing). */
export interface KombuLayout {
  /** global_keyprefix ("" when none). */
  prefix: string;
  sep: string;
  /** priority_steps, sorted and unique (validated at start-up, as kombu's bisect assumes). */
  prioritySteps: readonly number[];
  unackedKey: string;
  unackedIndexKey: string;
  unackedMutexKey: string;
  unackedMutexExpireSeconds: number;
  visibilityTimeoutSeconds: number;
  /** The fanout channel prefix before `{db}` is filled in: "/{db}." by default, "" when fanout_prefix is false. */
  fanoutPrefix: string;
  fanoutPatterns: boolean;
  /** Celery's control_exchange: the pidbox exchanges are `<it>.pidbox` and `reply.<it>.pidbox`. */
  controlExchange: string;
  /** Celery's event_exchange (celeryev). */
  eventExchange: string;
}

export const DEFAULT_LAYOUT: KombuLayout = {
  prefix: "",
  sep: DEFAULT_SEP,
  prioritySteps: DEFAULT_PRIORITY_STEPS,
  unackedKey: "unacked",
  unackedIndexKey: "unacked_index",
  unackedMutexKey: "unacked_mutex",
  unackedMutexExpireSeconds: 300,
  visibilityTimeoutSeconds: 3600,
  fanoutPrefix: "/{db}.",
  fanoutPatterns: true,
  controlExchange: "celery",
  eventExchange: "celeryev",
};

/** The layout of a configured broker. */
export function layoutOf(b: BrokerConfig): KombuLayout {
  return {
    prefix: b.globalKeyprefix,
    sep: b.sep ?? DEFAULT_LAYOUT.sep,
    prioritySteps: b.prioritySteps,
    unackedKey: b.unackedKey ?? DEFAULT_LAYOUT.unackedKey,
    unackedIndexKey: b.unackedIndexKey ?? DEFAULT_LAYOUT.unackedIndexKey,
    unackedMutexKey: b.unackedMutexKey ?? DEFAULT_LAYOUT.unackedMutexKey,
    unackedMutexExpireSeconds: b.unackedMutexExpireSeconds ?? DEFAULT_LAYOUT.unackedMutexExpireSeconds,
    visibilityTimeoutSeconds: b.visibilityTimeoutSeconds,
    fanoutPrefix: fanoutPrefixOf(b.fanoutPrefix),
    fanoutPatterns: b.fanoutPatterns ?? DEFAULT_LAYOUT.fanoutPatterns,
    controlExchange: b.controlExchange ?? DEFAULT_LAYOUT.controlExchange,
    eventExchange: b.eventExchange ?? DEFAULT_LAYOUT.eventExchange,
  };
}

/** kombu's Channel.__init__: fanout_prefix true keeps '/{db}.', a string replaces it, false means no prefix. */
export function fanoutPrefixOf(option: boolean | string | undefined): string {
  if (option === undefined || option === true) return DEFAULT_LAYOUT.fanoutPrefix;
  if (option === false || option === "") return "";
  return option;
}

/** Problems with a priority_steps list kombu would silently mis-handle (its bisect needs sorted, unique steps). */
export function priorityStepsProblem(steps: readonly number[]): string | null {
  if (steps.length === 0) return "needs at least one step";
  for (let i = 1; i < steps.length; i++) {
    if ((steps[i] as number) <= (steps[i - 1] as number))
      return "must be sorted ascending with no repeats (kombu bisects it)";
  }
  return null;
}

/**
 * kombu's Channel.priority (followed by _q_for_pri): the step is `steps[bisect_right(steps, p) - 1]`, so a
 * priority below every step lands in Python's steps[-1], the LAST step. Callers pass the message priority already
 * clamped to 0..9 (kombu's _get_message_priority); the steps are sorted and unique (validated at start-up).
 */
export function stepForPriority(priority: number, steps: readonly number[]): number {
  let i = 0;
  while (i < steps.length && (steps[i] as number) <= priority) i++;
  return (i === 0 ? steps[steps.length - 1] : steps[i - 1]) as number;
}

/** kombu's _get_message_priority: properties.priority clamped to 0..9, 0 when absent or not an int. */
export function messagePriority(payload: unknown): number {
  const p = (payload as { properties?: { priority?: unknown } } | null)?.properties?.priority;
  const n =
    typeof p === "number" ? Math.trunc(p) : typeof p === "string" && /^\s*[-+]?\d+\s*$/.test(p) ? Number(p) : NaN;
  return Number.isFinite(n) ? Math.max(0, Math.min(9, n)) : 0;
}

const bytes = (s: string) => Buffer.from(s, "utf8");

/** Redis key of a queue's list for one priority step (a step, not a priority), as bytes (queue names are arbitrary bytes). */
export function queueKey(layout: Pick<KombuLayout, "prefix" | "sep">, queue: Buffer | string, step: number): Buffer {
  const q = typeof queue === "string" ? nameToBytes(queue) : queue;
  const base = Buffer.concat([bytes(layout.prefix), q]);
  return step === 0 ? base : Buffer.concat([base, bytes(`${layout.sep}${step}`)]);
}

export function bindingKey(layout: Pick<KombuLayout, "prefix">, exchange: string): string {
  return `${layout.prefix}${BINDING_PREFIX}${exchange}`;
}

export function bindingMember(
  layout: Pick<KombuLayout, "sep">,
  routingKey: string,
  pattern: string,
  queue: string,
): string {
  return [routingKey, pattern, queue].join(layout.sep);
}

/** The prefixed keys of kombu's ack emulation. */
export function unackedKeys(layout: KombuLayout): { unacked: string; index: string; mutex: string } {
  return {
    unacked: layout.prefix + layout.unackedKey,
    index: layout.prefix + layout.unackedIndexKey,
    mutex: layout.prefix + layout.unackedMutexKey,
  };
}

/** The pub/sub channel kombu publishes a fanout exchange's messages on (Channel._get_publish_topic). */
export function fanoutChannel(layout: KombuLayout, db: number | "{db}", exchange: string, routingKey = ""): string {
  const prefix = layout.fanoutPrefix.replace("{db}", String(db));
  const tail = routingKey && layout.fanoutPatterns ? `/${routingKey}` : "";
  return `${layout.prefix}${prefix}${exchange}${tail}`;
}

/**
 * Every channel a kombu client of some version may use for this fanout exchange. kombu 5.3 and older never fill in
 * `{db}` for a Sentinel broker (SentinelChannel._get_pool skips the keyprefix_fanout.format(db=...) that
 * Channel._get_pool does), so their workers listen on a channel literally named `/{db}.<exchange>`; kombu 5.4
 * formats it. A worker subscribes to one of the two, so publishing on both reaches each worker exactly once.
 */
export function fanoutChannels(
  layout: KombuLayout,
  db: number,
  exchange: string,
  routingKey: string,
  sentinel: boolean,
): string[] {
  const numbered = fanoutChannel(layout, db, exchange, routingKey);
  if (!sentinel) return [numbered];
  const literal = fanoutChannel(layout, "{db}", exchange, routingKey);
  return literal === numbered ? [numbered] : [numbered, literal];
}

/** Celery's pidbox exchanges for a control_exchange name (celery/app/control.py Mailbox). */
export const pidboxExchange = (layout: KombuLayout) => `${layout.controlExchange}.pidbox`;
export const replyExchange = (layout: KombuLayout) => `reply.${layout.controlExchange}.pidbox`;

// ---- queue names: arbitrary bytes in Redis, strings in the API ----
// A name that is valid UTF-8 is shown as is. Anything else (and, to keep the mapping reversible, any
// valid name that happens to start with the marker) becomes MARKER + base64 of the raw bytes.
export const BINARY_NAME_MARKER = "\u{FFFD}b64:";
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function nameFromBytes(raw: Buffer): string {
  try {
    const s = strictUtf8.decode(raw);
    if (!s.startsWith(BINARY_NAME_MARKER)) return s;
  } catch {
    // not UTF-8: fall through to the escape
  }
  return BINARY_NAME_MARKER + raw.toString("base64");
}

export function nameToBytes(name: string): Buffer {
  if (name.startsWith(BINARY_NAME_MARKER)) return Buffer.from(name.slice(BINARY_NAME_MARKER.length), "base64");
  return Buffer.from(name, "utf8");
}
