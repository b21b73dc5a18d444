import "server-only";

// kombu 5.2 Redis transport key layout (kombu/transport/redis.py), in one place:
// - queue list for priority step s: `<queue>` when s is 0, else `<queue>\x06\x16<s>`  (Channel._q_for_pri)
// - binding set per exchange: `_kombu.binding.<exchange>`, members `routing_key\x06\x16pattern\x06\x16queue`
// - ack emulation: hash `unacked` (tag -> JSON [message, exchange, routing_key]) and zset `unacked_index`
// - fanout exchanges: PUBLISH on `/<db>.<exchange>` (plus `/<routing_key>` when fanout_patterns and a key)
// global_keyprefix is prepended to every one of these (the prefixed client covers LLEN/LPUSH/SADD/SMEMBERS/
// HSET/ZADD/PUBLISH/DEL/BRPOP...), so we prefix every key and channel we touch ourselves.

export const SEP = "\x06\x16";
export const BINDING_PREFIX = "_kombu.binding.";
export const UNACKED_KEY = "unacked";
export const UNACKED_INDEX_KEY = "unacked_index";

/** Messages carry priorities 0..9 (kombu clamps); each lands in the highest step <= its priority. */
export function stepForPriority(priority: number, steps: readonly number[]): number {
  const sorted = [...steps].sort((a, b) => a - b);
  const p = Math.max(0, Math.min(9, Math.trunc(priority)));
  // Python's steps[bisect(steps, p) - 1]: with p below every step, index -1 wraps to the last step.
  let i = 0;
  while (i < sorted.length && (sorted[i] as number) <= p) i++;
  return sorted[i - 1] ?? (sorted[sorted.length - 1] as number);
}

/** Redis key of a queue's list for one priority step, as a Buffer (queue names are arbitrary bytes). */
export function queueKey(prefix: string, queue: Buffer, step: number): Buffer {
  const base = Buffer.concat([Buffer.from(prefix, "utf8"), queue]);
  return step === 0 ? base : Buffer.concat([base, Buffer.from(`${SEP}${step}`, "latin1")]);
}

export function bindingKey(prefix: string, exchange: string): string {
  return `${prefix}${BINDING_PREFIX}${exchange}`;
}

export function bindingMember(routingKey: string, pattern: string, queue: string): string {
  return [routingKey, pattern, queue].join(SEP);
}

/** The pub/sub channel kombu publishes a fanout exchange's messages on. */
export function fanoutChannel(prefix: string, db: number, exchange: string, routingKey = ""): string {
  return `${prefix}/${db}.${exchange}${routingKey ? `/${routingKey}` : ""}`;
}

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
